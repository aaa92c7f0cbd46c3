"""Inference on arrays: build a model from a config + checkpoint, super-resolve an image.

A pruned checkpoint loads with its original config (the architecture is in the file).
"""
from typing import Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint

from pgpsr import register_all_modules
from pgpsr.registry import MODELS
from pgpsr.utils.pretrained import require_local_path


def init_model(config, checkpoint: Optional[str] = None, device: str = 'cpu'):
    """Model from a config (path or Config) and optional checkpoint, in eval mode."""
    register_all_modules()
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        ckpt = require_local_path(checkpoint, 'checkpoint')
        load_checkpoint(model, ckpt, map_location='cpu', strict=True, logger='silent')
    return model.to(device).eval()


@torch.no_grad()
def super_resolve(model, img: np.ndarray, seed: Optional[int] = None) -> np.ndarray:
    """HxWx3 RGB uint8 (or float in [0, 1]) -> (scale*H)x(scale*W)x3 RGB uint8."""
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f'super_resolve expects an HxWx3 RGB array, got shape {img.shape}')
    x = img.astype(np.float32) / (255.0 if img.dtype == np.uint8 else 1.0)
    device = next(model.parameters()).device
    t = torch.from_numpy(x).permute(2, 0, 1)[None].to(device) * 2 - 1
    out = model.sample(t, seed=seed)[0].float().cpu()
    return ((out.permute(1, 2, 0).numpy() + 1) * 127.5).round().clip(0, 255).astype(np.uint8)
