"""Write a :class:`DiffusersUNetDenoiser` back as a plain diffusers ``UNet2DConditionModel``.

Unpruned (fine-tuned, or with a widened ``conv_in``) models export as they are. Removed
transformer layers are expressible too: diffusers accepts a depth per transformer
(``transformer_layers_per_block`` / ``reverse_transformer_layers_per_block`` as tuples of
tuples), so the remaining layers are renumbered and the config records each depth.
Removed ResNet units are not: diffusers' layout has a fixed number of ResNets per level
and every encoder ResNet feeds a skip, so such models stay pgpsr checkpoints.
"""
import re
from typing import Dict, List, Optional, Tuple

import torch
from diffusers import UNet2DConditionModel

from .base import DroppedBlock

LAYER_KEY = re.compile(r'^(.*\.attentions\.\d+\.transformer_blocks\.)(\d+)(\..*)$')


class NotExportableError(ValueError):
    """The pruned architecture has no diffusers ``UNet2DConditionModel`` equivalent."""


def _depths(block) -> Optional[Tuple[int, ...]]:
    attns = getattr(block, 'attentions', None)
    if not attns:
        return None
    return tuple(sum(not isinstance(m, DroppedBlock) for m in a.transformer_blocks)
                 for a in attns)


def export_config(backbone) -> Dict:
    """The diffusers config of ``backbone``'s current (possibly layer-pruned) UNet."""
    units = [n for n in backbone.dropped if '.attn.' not in n]
    if units:
        raise NotExportableError(
            f'{units} are whole ResNet units; diffusers UNet2DConditionModel has a fixed '
            'number of ResNets per level (each encoder one feeding a skip), so this pruned '
            'model cannot be a diffusers folder. Keep the pgpsr checkpoint (it rebuilds '
            'from its config); removed transformer layers alone do export.')
    unet = backbone.unet
    cfg = dict(unet.config)
    down = [_depths(b) for b in unet.down_blocks]
    mid = _depths(unet.mid_block) if unet.mid_block is not None else None
    if mid is not None:
        if down[-1] is None:
            down[-1] = mid
        elif down[-1][0] != mid[0] or len(set(mid)) > 1:
            raise NotExportableError(
                f'diffusers sizes the mid-block transformer from the last down block '
                f'(depths {down[-1]}), but pgpsr pruning left it {mid}: not expressible')
    cfg['transformer_layers_per_block'] = [d if d is not None else 1 for d in down]
    up = [_depths(b) for b in unet.up_blocks]
    cfg['reverse_transformer_layers_per_block'] = [d if d is not None else (1,) * len(b.resnets)
                                                   for d, b in zip(up, unet.up_blocks)]
    return {k: v for k, v in cfg.items() if not k.startswith('_')}


def export_state_dict(backbone) -> Dict[str, torch.Tensor]:
    """The UNet's weights with each transformer's remaining layers numbered 0, 1, ..."""
    out: Dict[str, torch.Tensor] = {}
    renumber: Dict[Tuple[str, int], int] = {}
    for name, module in backbone.unet.named_modules():
        if name.endswith('transformer_blocks'):
            live = [k for k, m in enumerate(module) if not isinstance(m, DroppedBlock)]
            renumber.update({(name + '.', k): i for i, k in enumerate(live)})
    for key, value in backbone.unet.state_dict().items():
        m = LAYER_KEY.match(key)
        if m:
            key = f'{m.group(1)}{renumber[(m.group(1), int(m.group(2)))]}{m.group(3)}'
        out[key] = value
    return out


def to_diffusers(backbone) -> UNet2DConditionModel:
    """A plain diffusers UNet computing what ``backbone`` computes (same weights)."""
    unet = UNet2DConditionModel.from_config(export_config(backbone))
    unet.load_state_dict(export_state_dict(backbone), strict=True)
    return unet.to(next(backbone.parameters()).dtype)


def save_diffusers(backbone, out_dir: str) -> List[str]:
    """Save as a diffusers folder (config.json + safetensors); returns the written files."""
    import os
    to_diffusers(backbone).save_pretrained(out_dir, safe_serialization=True)
    return sorted(os.listdir(out_dir))
