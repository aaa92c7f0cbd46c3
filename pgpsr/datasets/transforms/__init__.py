"""Data transforms: loading, crops/flips, degradations."""
from .bicubic import BicubicDegradation
from .crop_flip import CheckPairScale, RandomCropGT, RandomFlipRotate
from .degradations import (DegradationPipeline, RandomFinalResizeSincJPEG, RandomJPEGDegradation,
                           RandomKernelBlur, RandomNoiseDegradation,
                           RandomResizeDegradation, SharpenGT)
from .loading import LoadSRImage

__all__ = ['BicubicDegradation', 'CheckPairScale', 'DegradationPipeline', 'LoadSRImage', 'RandomCropGT',
           'RandomFinalResizeSincJPEG',
           'RandomFlipRotate', 'RandomJPEGDegradation', 'RandomKernelBlur',
           'RandomNoiseDegradation', 'RandomResizeDegradation', 'SharpenGT']
