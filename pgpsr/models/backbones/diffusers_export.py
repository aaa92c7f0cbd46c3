"""Write a :class:`DiffusersUNetDenoiser` back as a plain diffusers ``UNet2DConditionModel``.

Unpruned (fine-tuned, or with a widened ``conv_in``) models export as they are. Pruned
ones export whenever a diffusers config can say what is left (``diffusers_export_plan``:
per-level ``layers_per_block``, per-unit transformer depths, the mid block's type); the
remaining ResNets, transformers and transformer layers are renumbered 0, 1, ... as
diffusers builds them. Anything else raises :class:`NotExportableError` with the reason
(prune with ``exportable=True`` to stay inside what exports).
"""
import os
from typing import Dict, List

import torch
from diffusers import UNet2DConditionModel
from torch import nn

from .base import DroppedBlock
from .diffusers_export_plan import NotExportableError, export_plan

__all__ = ['NotExportableError', 'export_config', 'export_state_dict', 'save_diffusers',
           'to_diffusers']


def export_config(backbone) -> Dict:
    """The diffusers config of ``backbone``'s current (possibly pruned) UNet."""
    cfg = dict(backbone.unet.config)
    cfg.update(export_plan(backbone))
    return {k: v for k, v in cfg.items() if not k.startswith('_')}


def live_index_maps(unet: nn.Module) -> Dict[str, Dict[int, int]]:
    """``{ModuleList path: {old index: new index}}`` for lists holding removed entries:
    diffusers numbers only what it builds."""
    maps = {}
    for name, module in unet.named_modules():
        if isinstance(module, nn.ModuleList) and any(isinstance(m, DroppedBlock)
                                                     for m in module):
            live = [k for k, m in enumerate(module) if not isinstance(m, DroppedBlock)]
            maps[name] = {k: i for i, k in enumerate(live)}
    return maps


def renumbered(key: str, maps: Dict[str, Dict[int, int]]) -> str:
    """``key`` with every index into a pruned ModuleList replaced by its live index."""
    parts = key.split('.')
    out = list(parts)
    for i in range(1, len(parts)):
        prefix = '.'.join(parts[:i])
        if prefix in maps and parts[i].isdigit():
            out[i] = str(maps[prefix][int(parts[i])])
    return '.'.join(out)


def export_state_dict(backbone) -> Dict[str, torch.Tensor]:
    """The UNet's weights under the keys of the diffusers model :func:`export_config`
    describes."""
    maps = live_index_maps(backbone.unet)
    return {renumbered(k, maps): v for k, v in backbone.unet.state_dict().items()}


def to_diffusers(backbone) -> UNet2DConditionModel:
    """A plain diffusers UNet computing what ``backbone`` computes (same weights)."""
    unet = UNet2DConditionModel.from_config(export_config(backbone))
    unet.load_state_dict(export_state_dict(backbone), strict=True)
    return unet.to(next(backbone.parameters()).dtype)


def save_diffusers(backbone, out_dir: str) -> List[str]:
    """Save as a diffusers folder (config.json + safetensors); returns the written files."""
    to_diffusers(backbone).save_pretrained(out_dir, safe_serialization=True)
    return sorted(os.listdir(out_dir))
