"""Prunable denoiser backbones (see base.PrunableBackbone and contract.Denoiser for the
contract): pgpsr's own DiT and UNet (trained from scratch) and views of pretrained
diffusers models. A module defining a backbone is imported here, which registers it
(tests/test_models/test_backbones/test_backbone_registry.py fails otherwise)."""
from .base import PARTS, DroppedBlock, PrunableBackbone
from .diffusers_transformer import DiffusersTransformerDenoiser
from .diffusers_unet import DiffusersUNetDenoiser
from .dit import DiTDenoiser
from .unet import UNetDenoiser

__all__ = ['PARTS', 'DroppedBlock', 'PrunableBackbone', 'DiffusersTransformerDenoiser',
           'DiffusersUNetDenoiser', 'DiTDenoiser', 'UNetDenoiser']
