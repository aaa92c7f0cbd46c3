"""AdcSR's student: the whole inference path of the compressed model.

LR -> PixelUnshuffle -> channel-pruned denoiser (no time embedding, no text path, a new
``conv_in``) -> features in the pruned decoder's space -> pruned decoder's mid and up
blocks -> image. The decoder's own ``conv_in`` (after the teacher VAE's
``post_quant_conv``) maps a codec latent into that same feature space: that is where the
teacher's output and the GT are compared with the student's (stage 2), and how stage 1
pretrains the decoder on encoded GT.
"""
import copy
from typing import List

import torch
from torch import nn


class AdcSRStudent(nn.Module):
    """The deployed AdcSR generator: LR -> pruned denoiser -> pruned VAE decoder -> SR.

    Args:
        unet: The pruned denoiser, built without a time embedding (``forward(x)``).
        decoder: diffusers' VAE ``Decoder`` at reduced width.
        post_quant_conv: The teacher VAE's latent 1x1 conv (kept frozen).
        unshuffle: PixelUnshuffle factor; features are at LR / ``unshuffle``.
        scaling_factor: The codec's latent scale (latents arrive scaled).
        feature_point: Where the feature space is: ``'conv_in'`` (after the decoder's
            conv_in) or ``'mid_block'`` (AdcSR's train.py: the student ends in a trainable
            copy of the decoder's mid block, ``body_mid``; targets pass the frozen one).
    """

    def __init__(self, unet: nn.Module, decoder: nn.Module, post_quant_conv: nn.Module,
                 unshuffle: int, scaling_factor: float, feature_point: str = 'conv_in') -> None:
        super().__init__()
        if feature_point not in ('conv_in', 'mid_block'):
            raise ValueError(f"AdcSR.feature_point must be 'conv_in' or 'mid_block', got "
                             f'{feature_point!r}')
        self.unet, self.decoder, self.post_quant_conv = unet, decoder, post_quant_conv
        self.unshuffle = nn.PixelUnshuffle(unshuffle) if unshuffle > 1 else nn.Identity()
        self.scaling_factor = scaling_factor
        self.body_mid = copy.deepcopy(decoder.mid_block) if feature_point == 'mid_block' \
            else None

    def features(self, lr: torch.Tensor) -> torch.Tensor:
        """LR in [-1, 1] (sides a multiple of the size divisor) -> decoder features."""
        feats = self.unet(self.unshuffle(lr))
        return feats if self.body_mid is None else self.body_mid(feats, None)

    def post_quant_features(self, h: torch.Tensor) -> torch.Tensor:
        """A latent after a VAE's ``post_quant_conv`` -> the feature space."""
        x = self.decoder.conv_in(h)
        return x if self.body_mid is None else self.decoder.mid_block(x, None)

    def latent_features(self, z: torch.Tensor) -> torch.Tensor:
        """Scaled codec latent -> the same feature space (the distillation targets)."""
        dtype = self.decoder.conv_in.weight.dtype
        return self.post_quant_features(
            self.post_quant_conv(z.to(dtype) / self.scaling_factor))

    def decode(self, feats: torch.Tensor) -> torch.Tensor:
        """Features -> image in (about) [-1, 1], as diffusers' Decoder from there on."""
        dec = self.decoder
        x = dec.mid_block(feats, None) if self.body_mid is None else feats
        for up in dec.up_blocks:
            x = up(x, None)
        return dec.conv_out(dec.conv_act(dec.conv_norm_out(x)))

    def training_only(self) -> List[nn.Module]:
        """The modules the SR path never runs: they map latents into the feature space
        (a deployed student, e.g. the released one, does without them)."""
        mods = [self.decoder.conv_in, self.post_quant_conv]
        return mods + [self.decoder.mid_block] if self.body_mid is not None else mods

    def forward(self, x: torch.Tensor, mode: str = 'sr') -> torch.Tensor:
        """One entry point, so a DDP wrapper sees every use: ``sr`` (LR -> image),
        ``features`` (LR -> features), ``reconstruct`` (latent -> image, stage 1)."""
        if mode == 'sr':
            return self.decode(self.features(x))
        if mode == 'features':
            return self.features(x)
        if mode == 'reconstruct':
            return self.decode(self.latent_features(x))
        raise ValueError(f'AdcSRStudent.forward: unknown mode {mode!r}')
