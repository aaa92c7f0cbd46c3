"""The LR's upscale to HR size that a latent SR model encodes as its condition.

Three references differ here, and the difference is visible where bicubic overshoots
(sharp edges of a [-1, 1] image):
- ``'torch_clamped'``: ``F.interpolate(bicubic)`` clamped to [-1, 1] (pgpsr's default: the
  codec sees only valid images);
- ``'torch'``: the same, unclamped (AdcSR's ``train.py`` builds its OSEDiff teacher's
  input so);
- ``'pil'``: Pillow's bicubic on the 8-bit image (OSEDiff's ``test_osediff.py`` resizes the
  loaded PIL image before converting it; Pillow's kernel is a=-0.5, torch's a=-0.75, and
  the result is rounded to 8 bits).
"""
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

CONDITION_UPSCALES = ('torch_clamped', 'torch', 'pil')


def check_condition_upscale(method: str) -> str:
    if method not in CONDITION_UPSCALES:
        raise ValueError(f'condition_upscale must be one of {CONDITION_UPSCALES}, got '
                         f'{method!r}')
    return method


def _pil_bicubic(lr: torch.Tensor, scale: int) -> torch.Tensor:
    """Each image to 8 bits (rounded: the LR came from 8-bit files), Pillow's bicubic."""
    out = []
    for img in lr.detach().float().cpu():
        u8 = ((img + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
        pil = Image.fromarray(u8.permute(1, 2, 0).numpy())
        up = pil.resize((pil.width * scale, pil.height * scale), Image.BICUBIC)
        out.append(torch.from_numpy(np.asarray(up).copy()).permute(2, 0, 1))
    return (torch.stack(out).float() / 127.5 - 1).to(device=lr.device, dtype=lr.dtype)


def upscale_condition(lr: torch.Tensor, scale: int, method: str) -> torch.Tensor:
    """LR (Bx3xhxw, [-1, 1]) -> its ``scale`` x upscale by ``method`` (see the module)."""
    if method == 'pil':
        return _pil_bicubic(lr, scale)
    up = F.interpolate(lr, scale_factor=scale, mode='bicubic', align_corners=False)
    return up.clamp(-1, 1) if method == 'torch_clamped' else up
