"""Real-ESRGAN-style synthetic degradations, one step per file, per image or per batch."""
from .base import DegradationStep
from .batch import build_steps, degrade_batch
from .blur import RandomKernelBlur
from .compose import DegradationPipeline
from .final import RandomFinalResizeSincJPEG
from .jpeg import RandomJPEGDegradation
from .noise import RandomNoiseDegradation
from .resize import RandomResizeDegradation
from .sharpen import SharpenGT

__all__ = ['DegradationPipeline', 'DegradationStep', 'RandomFinalResizeSincJPEG',
           'RandomJPEGDegradation',
           'RandomKernelBlur', 'RandomNoiseDegradation', 'RandomResizeDegradation',
           'SharpenGT', 'build_steps', 'degrade_batch']
