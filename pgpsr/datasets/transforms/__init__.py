"""Data transforms: loading, crops/flips, degradations."""
from .bicubic import BicubicDegradation
from .crop_flip import RandomCropGT, RandomFlipRotate
from .degradations import (DegradationPipeline, RandomFinalResizeSincJPEG, RandomJPEGDegradation,
                           RandomKernelBlur, RandomNoiseDegradation,
                           RandomResizeDegradation, SharpenGT)
from .loading import LoadSRImage

__all__ = ['BicubicDegradation', 'DegradationPipeline', 'LoadSRImage', 'RandomCropGT',
           'RandomFinalResizeSincJPEG',
           'RandomFlipRotate', 'RandomJPEGDegradation', 'RandomKernelBlur',
           'RandomNoiseDegradation', 'RandomResizeDegradation', 'SharpenGT']
