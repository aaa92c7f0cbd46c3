from .dists import DISTS
from .fid import FID, frechet_distance
from .functional import psnr, rgb_to_y, ssim
from .lpips import LPIPS
from .niqe import NIQEY, niqe_y
from .psnr_ssim import PSNRY, SSIMY

__all__ = ['psnr', 'rgb_to_y', 'ssim', 'niqe_y', 'frechet_distance', 'DISTS', 'FID',
           'LPIPS', 'NIQEY', 'PSNRY', 'SSIMY']
