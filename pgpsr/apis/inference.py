"""Inference on arrays (notebooks) and the model loading shared by the tools."""
from typing import Callable, Optional

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint

from pgpsr import register_all_modules
from pgpsr.registry import MODELS
from pgpsr.utils.pretrained import require_local_path


def init_model(config, checkpoint: Optional[str] = None, device: str = 'cpu'):
    """Model from a config (path or Config) and optional checkpoint, in eval mode.

    Pruned checkpoints rebuild their architecture from their own state dict.
    """
    register_all_modules()
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        ckpt = require_local_path(checkpoint, 'checkpoint')
        load_checkpoint(model, ckpt, map_location='cpu', strict=True, logger='silent')
    return model.to(device).eval()


def checkpoint_of(cfg, given: Optional[str]) -> Optional[str]:
    """The checkpoint a tool loads: the one given, else the config's own ``load_from``;
    None only for a config that says every weight is in it (``weights_in_config``, e.g.
    the converted OSEDiff teacher). Anything else is a ValueError naming the choices."""
    path = given or cfg.get('load_from')
    if path:
        return require_local_path(path, 'checkpoint' if given else "the config's load_from")
    if cfg.get('weights_in_config'):
        return None
    raise ValueError('no checkpoint: give CHECKPOINT, or use a config that names its '
                     'weights (load_from, or weights_in_config = True)')


def _to_tensor(img: np.ndarray) -> torch.Tensor:
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f'expected an HxWx3 RGB array, got shape {img.shape}')
    x = img.astype(np.float32) / (255.0 if img.dtype == np.uint8 else 1.0)
    return torch.from_numpy(np.ascontiguousarray(x)).permute(2, 0, 1)[None] * 2 - 1


@torch.no_grad()
def super_resolve_float(model, rgb: np.ndarray, tile: Optional[int] = None,
                        tile_overlap: Optional[int] = None, color: Optional[str] = None,
                        precision: str = 'fp32', seed: Optional[int] = None,
                        progress: Optional[Callable[[int, int], None]] = None) -> np.ndarray:
    """HxWx3 RGB (uint8, or float in [0, 1]) -> (sH)x(sW)x3 float32 RGB in [0, 1].

    Args:
        tile / tile_overlap: LR tile size and overlap (default: the model's test_cfg);
            tiles go to the model's device one at a time, the result stays on the CPU.
        color: 'none' | 'wavelet' | 'adain' | 'adain_lr', applied to the whole image
            (default: the model's ``test_cfg.color_fix``).
        precision: 'fp32' | 'fp16' | 'bf16' autocast for the model.
    """
    from pgpsr.evaluation.efficiency import autocast
    lr = _to_tensor(rgb)
    with autocast(next(model.parameters()).device, precision):
        sr = model.sample_any_size(lr, seed, tile, tile_overlap, progress, color).float()
    return ((sr[0].permute(1, 2, 0).numpy() + 1) / 2).clip(0, 1)


def super_resolve(model, img: np.ndarray, seed: Optional[int] = None, **kwargs) -> np.ndarray:
    """HxWx3 RGB uint8 (or float in [0, 1]) -> (scale*H)x(scale*W)x3 RGB uint8."""
    out = super_resolve_float(model, img, seed=seed, **kwargs)
    return np.rint(out * 255).astype(np.uint8)


def upscale_alpha(alpha: np.ndarray, scale: int) -> np.ndarray:
    """An alpha channel (HxW float in [0, 1]) upscaled on its own (bicubic, clipped)."""
    h, w = alpha.shape
    return cv2.resize(alpha, (w * scale, h * scale), interpolation=cv2.INTER_CUBIC).clip(0, 1)

