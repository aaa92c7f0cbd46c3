"""A weight-free latent codec: pixel (un)shuffle, so small models train from scratch."""
import torch
import torch.nn.functional as F
from torch import nn

from pgpsr.registry import MODELS


@MODELS.register_module()
class PixelUnshuffleCodec(nn.Module):
    """``encode``: (B,3,H,W) -> (B,3f^2,H/f,W/f); ``decode`` is its exact inverse.

    Args:
        factor: Spatial down-sampling factor ``f``.
        in_channels: Image channels.
    """

    def __init__(self, factor: int = 2, in_channels: int = 3) -> None:
        super().__init__()
        self.factor = factor
        self.latent_channels = in_channels * factor * factor

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return F.pixel_unshuffle(x, self.factor)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return F.pixel_shuffle(z, self.factor)
