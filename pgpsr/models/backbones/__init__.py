"""Prunable denoiser backbones (see base.PrunableBackbone for the contract)."""
from .base import PARTS, DroppedBlock, PrunableBackbone
from .dit import DiTDenoiser
from .unet import UNetDenoiser

__all__ = ['PARTS', 'DroppedBlock', 'PrunableBackbone', 'DiTDenoiser', 'UNetDenoiser']
