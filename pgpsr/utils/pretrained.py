"""Local-only loading of pretrained weights, with one clear message for what is missing."""
import os.path as osp
import pickle
from typing import Dict

import torch


class MissingWeightsError(FileNotFoundError):
    """A config names pretrained weights that are not on this machine."""


def require_local_path(path: str, key: str) -> str:
    """Return ``path`` expanded, or raise naming the config key and what was expected."""
    full = osp.abspath(osp.expanduser(str(path)))
    if not osp.exists(full):
        raise MissingWeightsError(
            f'{key}: {full} does not exist. pgpsr never downloads weights at run time; '
            'put the files there (a diffusers directory with config.json, or a '
            '.safetensors/.pth file) or change the config key.')
    return full


def load_weights_file(path: str) -> Dict[str, torch.Tensor]:
    """State dict from a ``.safetensors`` file or a torch checkpoint (``state_dict`` key ok)."""
    path = require_local_path(path, 'weights file')
    if path.endswith('.safetensors'):
        from safetensors.torch import load_file
        return load_file(path)
    try:
        obj = torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as e:
        raise ValueError(
            f'{path} holds more than weights (a full training checkpoint, with optimizer and '
            'logger state, is not loaded as pretrained weights); keep only the weights with '
            f'`python tools/analysis_tools/strip_checkpoint.py {path} OUT.pth`') from e
    return obj.get('state_dict', obj) if isinstance(obj, dict) else obj
