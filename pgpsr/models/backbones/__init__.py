"""Prunable denoiser backbones (see base.PrunableBackbone for the contract): pgpsr's own
DiT and UNet (trained from scratch) and views of pretrained diffusers models."""
from .base import PARTS, DroppedBlock, PrunableBackbone
from .diffusers_transformer import DiffusersTransformerDenoiser
from .diffusers_unet import DiffusersUNetDenoiser
from .dit import DiTDenoiser
from .unet import UNetDenoiser

__all__ = ['PARTS', 'DroppedBlock', 'PrunableBackbone', 'DiffusersTransformerDenoiser',
           'DiffusersUNetDenoiser', 'DiTDenoiser', 'UNetDenoiser']
