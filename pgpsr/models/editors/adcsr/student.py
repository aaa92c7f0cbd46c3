"""AdcSR's student: the whole inference path of the compressed model.

LR -> PixelUnshuffle -> channel-pruned denoiser (no time embedding, no text path, a new
``conv_in``) -> features in the pruned decoder's space -> pruned decoder's mid and up
blocks -> image. The decoder's own ``conv_in`` (after the teacher VAE's
``post_quant_conv``) maps a codec latent into that same feature space: that is where the
teacher's output and the GT are compared with the student's (stage 2), and how stage 1
pretrains the decoder on encoded GT.
"""
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
    """

    def __init__(self, unet: nn.Module, decoder: nn.Module, post_quant_conv: nn.Module,
                 unshuffle: int, scaling_factor: float) -> None:
        super().__init__()
        self.unet, self.decoder, self.post_quant_conv = unet, decoder, post_quant_conv
        self.unshuffle = nn.PixelUnshuffle(unshuffle) if unshuffle > 1 else nn.Identity()
        self.scaling_factor = scaling_factor

    def features(self, lr: torch.Tensor) -> torch.Tensor:
        """LR in [-1, 1] (sides a multiple of the size divisor) -> decoder features."""
        return self.unet(self.unshuffle(lr))

    def latent_features(self, z: torch.Tensor) -> torch.Tensor:
        """Scaled codec latent -> the same feature space (the distillation targets)."""
        dtype = self.decoder.conv_in.weight.dtype
        return self.decoder.conv_in(self.post_quant_conv(z.to(dtype) / self.scaling_factor))

    def decode(self, feats: torch.Tensor) -> torch.Tensor:
        """Features -> image in (about) [-1, 1], as diffusers' Decoder after its conv_in."""
        dec = self.decoder
        x = dec.mid_block(feats, None)
        for up in dec.up_blocks:
            x = up(x, None)
        return dec.conv_out(dec.conv_act(dec.conv_norm_out(x)))

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
