"""diffusers' AutoencoderKL as a latent codec: from a config or a local pretrained dir.

Reference: Rombach et al., "High-Resolution Image Synthesis with Latent Diffusion Models"
(CVPR 2022). No network access: ``pretrained`` must be a local diffusers directory (with
``config.json``) or a single ``.safetensors`` file next to a config.
"""
from typing import Dict, Optional

import torch
from diffusers import AutoencoderKL
from torch import nn

from pgpsr.models.pretrained.diffusers_loading import build_diffusers_model
from pgpsr.registry import MODELS


@MODELS.register_module()
class AutoencoderKLCodec(nn.Module):
    """Encode images in [-1, 1] to scaled latents and back.

    Args:
        config: ``AutoencoderKL`` constructor kwargs (ignored when ``pretrained`` is set,
            except as the architecture of a bare ``.safetensors`` file).
        pretrained: Local diffusers directory, or a ``.safetensors`` / ``.pth`` weights file.
        subfolder: Sub-folder of a full pipeline directory (e.g. ``'vae'``).
        scaling_factor: Latent scale (SD: 0.18215, SDXL: 0.13025); defaults to the
            model config's.
        sample_posterior: Sample the latent distribution instead of taking its mode.
        tiling: Use diffusers' tiled encode/decode for big images (bounded memory).
        frozen: Keep the codec's weights fixed during training (the usual choice).
        prefix: Key prefix of the VAE inside a ``.pth`` weights file, e.g.
            ``'codec.vae.'`` for a ``CodecPretrainer`` checkpoint.
    """

    def __init__(self, config: Optional[Dict] = None, pretrained: Optional[str] = None,
                 subfolder: Optional[str] = None, scaling_factor: Optional[float] = None,
                 sample_posterior: bool = False, tiling: bool = False,
                 frozen: bool = True, prefix: str = '') -> None:
        super().__init__()
        if pretrained is not None:
            self.vae = build_diffusers_model(AutoencoderKL, type(self).__name__, pretrained,
                                             subfolder, config, prefix=prefix)
        else:
            self.vae = AutoencoderKL(**(config or {}))
        self.factor = 2 ** (len(self.vae.config.block_out_channels) - 1)
        self.latent_channels = self.vae.config.latent_channels
        self.scaling_factor = (scaling_factor if scaling_factor is not None else
                               self.vae.config.scaling_factor)
        self.sample_posterior = sample_posterior
        if tiling:
            self.vae.enable_tiling()
        if frozen:
            self.vae.requires_grad_(False)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        dist = self.vae.encode(x).latent_dist
        z = dist.sample() if self.sample_posterior else dist.mode()
        return z * self.scaling_factor

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.vae.decode(z / self.scaling_factor).sample
