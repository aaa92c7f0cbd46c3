"""Tiny models several test files build the same way."""
import torch

from pgpsr.registry import MODELS


def tiny_residual_dit(perturb: bool = True, **test_cfg):
    """A tiny residual DiT (PGPDiffSR, x4, pixel-unshuffle codec) tiling at 8 px unless
    ``test_cfg`` says otherwise (``perturb``: away from its zero-initialised output layer,
    so it is not just bicubic)."""
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='PGPDiffSR', scale=4, residual=True,
        codec=dict(type='PixelUnshuffleCodec', factor=2),
        backbone=dict(type='DiTDenoiser', in_channels=12, patch_size=2, hidden_size=32,
                      num_heads=2, depth=(1, 1, 1)),
        scheduler=dict(type='DDPMScheduler', prediction_type='sample'),
        test_cfg=dict(dict(tile=8, tile_overlap=2), **test_cfg))).eval()
    if perturb:
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.05)
    return model
