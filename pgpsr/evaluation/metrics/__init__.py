from .functional import psnr, rgb_to_y, ssim
from .psnr_ssim import PSNRY, SSIMY

__all__ = ['psnr', 'rgb_to_y', 'ssim', 'PSNRY', 'SSIMY']
