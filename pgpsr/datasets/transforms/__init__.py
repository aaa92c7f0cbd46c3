"""Data transforms: loading, crops/flips, degradations."""
from .bicubic import BicubicDegradation
from .crop_flip import RandomCropGT, RandomFlipRotate
from .loading import LoadSRImage

__all__ = ['BicubicDegradation', 'LoadSRImage', 'RandomCropGT', 'RandomFlipRotate']
