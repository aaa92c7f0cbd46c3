"""What the SR models require of a codec, declared once and checked at build.

Every model reads a :class:`LatentCodec`. AdcSR (which prunes the VAE's decoder) and
CodecPretrainer (which trains it) need a :class:`VAECodec`: one holding a diffusers
``AutoencoderKL`` as ``vae``. A codec missing members is refused by name at build, not by
an AttributeError at the first batch.
"""
from typing import Protocol, runtime_checkable

from pgpsr.utils.protocols import missing_members


@runtime_checkable
class LatentCodec(Protocol):
    factor: int  # spatial downsampling of the latent
    latent_channels: int

    def encode(self, x):
        """Images in [-1, 1] -> latents."""

    def decode(self, z):
        """Latents -> images in [-1, 1]."""


@runtime_checkable
class VAECodec(LatentCodec, Protocol):
    vae: object  # diffusers AutoencoderKL
    scaling_factor: float


def check_codec(codec, who: str, protocol=LatentCodec) -> None:
    """Raise TypeError naming the members of ``protocol`` that ``codec`` lacks."""
    missing = missing_members(codec, protocol)
    if missing:
        raise TypeError(f'{who}: the codec {type(codec).__name__} lacks {list(missing)} of '
                        f'pgpsr.models.autoencoders.contract.{protocol.__name__}')
