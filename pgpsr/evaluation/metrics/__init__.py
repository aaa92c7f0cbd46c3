from .functional import psnr, rgb_to_y, ssim
from .niqe import NIQEY, niqe_y
from .psnr_ssim import PSNRY, SSIMY

__all__ = ['psnr', 'rgb_to_y', 'ssim', 'niqe_y', 'NIQEY', 'PSNRY', 'SSIMY']
