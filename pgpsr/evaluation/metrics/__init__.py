from .dists import DISTS
from .fid import FID, frechet_distance
from .functional import psnr, rgb_to_y, ssim
from .lpips import LPIPS
from .niqe import NIQEY, niqe_y
from .psnr_ssim import PSNRY, PSNRYCrop, SSIMY, SSIMYCrop
from .pyiqa_fid import PyiqaFID
from .pyiqa_metrics import (CLIPIQA, MANIQA, MUSIQ, PyiqaDISTS, PyiqaLPIPS,
                            PyiqaNIQE)

__all__ = ['psnr', 'rgb_to_y', 'ssim', 'niqe_y', 'frechet_distance', 'DISTS', 'FID',
           'LPIPS', 'NIQEY', 'PSNRY', 'SSIMY', 'CLIPIQA', 'MANIQA', 'MUSIQ',
           'PyiqaDISTS', 'PyiqaFID', 'PyiqaLPIPS', 'PyiqaNIQE', 'PSNRYCrop', 'SSIMYCrop']
