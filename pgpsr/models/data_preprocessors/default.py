"""The data preprocessor every pgpsr model uses unless its config names another."""
from typing import Dict, Optional, Union

from torch import nn

from pgpsr.registry import MODELS

# mmagic's DataPreprocessor mapping uint8 images to [-1, 1] (the diffusion models' range)
DEFAULT_DATA_PREPROCESSOR = dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3)


def build_data_preprocessor(cfg: Optional[Union[Dict, nn.Module]]) -> nn.Module:
    """A config (or None: the default) built in pgpsr's scope, whatever the current one."""
    cfg = cfg or DEFAULT_DATA_PREPROCESSOR
    return MODELS.build(cfg) if isinstance(cfg, dict) else cfg
