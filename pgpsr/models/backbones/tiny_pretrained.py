"""Tiny pipeline folders in the released models' diffusers layout, for tests and smoke runs.

Random weights (scaled so outputs are not trivially zero), the block structure of
SD2.1-base, SDXL-base or DiT-XL/2, a few channels wide, plus a tiny f=8 VAE; saved with
``save_pretrained`` exactly as the real pipelines are, so the loading path is the real one.
"""
import os
import os.path as osp

import torch
from diffusers import AutoencoderKL, DiTTransformer2DModel, UNet2DConditionModel

from .diffusers_archs import TINY_DIT, TINY_SD21_UNET, TINY_SDXL_UNET

ARCHS = dict(sd21=('unet', UNet2DConditionModel, TINY_SD21_UNET),
             sdxl=('unet', UNet2DConditionModel, TINY_SDXL_UNET),
             dit=('transformer', DiTTransformer2DModel, TINY_DIT))
TINY_VAE = dict(in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=4,
                down_block_types=['DownEncoderBlock2D'] * 4,
                up_block_types=['UpDecoderBlock2D'] * 4,
                block_out_channels=[8, 8, 16, 16], layers_per_block=1, sample_size=64,
                scaling_factor=0.18215)


def tiny_model(arch: str, seed: int = 0):
    """The tiny denoiser of ``arch`` with random weights (std 0.1 so it is not ~zero)."""
    _, cls, cfg = ARCHS[arch]
    torch.manual_seed(seed)
    model = cls.from_config(cfg)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.1)
    return model


def save_tiny_pipeline(arch: str, out_dir: str, seed: int = 0) -> str:
    """Write ``out_dir/{unet|transformer}`` and ``out_dir/vae``; returns ``out_dir``."""
    if arch not in ARCHS:
        raise KeyError(f'unknown tiny architecture {arch!r}; expected one of {list(ARCHS)}')
    sub = ARCHS[arch][0]
    os.makedirs(out_dir, exist_ok=True)
    tiny_model(arch, seed).save_pretrained(osp.join(out_dir, sub))
    torch.manual_seed(seed + 1)
    AutoencoderKL(**TINY_VAE).save_pretrained(osp.join(out_dir, 'vae'))
    return out_dir
