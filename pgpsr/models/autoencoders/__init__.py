"""Latent codecs: ``encode`` images in [-1, 1] to latents, ``decode`` back."""
from .autoencoder_kl_codec import AutoencoderKLCodec
from .pixel_unshuffle_codec import PixelUnshuffleCodec

__all__ = ['AutoencoderKLCodec', 'PixelUnshuffleCodec']
