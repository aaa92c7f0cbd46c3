"""Random blur with a Real-ESRGAN kernel (gaussian family, plateau or sinc)."""
import inspect
from typing import Dict, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from pgpsr.registry import TRANSFORMS
from .base import HW, DegradationStep, Params
from .kernels import sample_blur_kernel


def check_kernel_cfg(owner: str, cfg: Dict) -> Dict:
    """Reject unknown kernel keys with a message listing the accepted ones."""
    allowed = set(inspect.signature(sample_blur_kernel).parameters) - {'rng'}
    unknown = set(cfg) - allowed
    if unknown:
        raise KeyError(f'{owner}: unknown kernel keys {sorted(unknown)}; '
                       f'accepted: {sorted(allowed)}')
    return dict(cfg)


def filter2d_image(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Correlate an HxWxC image with a kernel, reflect-101 borders (as Real-ESRGAN)."""
    return cv2.filter2D(img, -1, kernel.astype(np.float32), borderType=cv2.BORDER_REFLECT_101)


def filter2d_batch(x: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """Correlate each sample of ``x`` (BxCxHxW) with its own kernel (Bxkxk), one conv call."""
    b, c, h, w = x.shape
    k = kernels.shape[-1]
    pad = k // 2
    mode = 'reflect' if min(h, w) > pad else 'replicate'
    xp = F.pad(x, (pad, pad, pad, pad), mode=mode).reshape(1, b * c, h + 2 * pad, w + 2 * pad)
    weight = kernels.to(x).repeat_interleave(c, dim=0).unsqueeze(1)
    return F.conv2d(xp, weight, groups=b * c).reshape(b, c, h, w)


@TRANSFORMS.register_module()
class RandomKernelBlur(DegradationStep):
    """Blur with a random kernel.

    Args:
        kernel: Keyword arguments of :func:`sample_blur_kernel` (kernel_list, kernel_prob,
            sinc_prob, sigma_range, betag_range, betap_range, kernel_sizes).
        prob: Probability of blurring (Real-ESRGAN: 1 first order, 0.8 second order).
    """

    def __init__(self, kernel: Optional[Dict] = None, prob: float = 1.0, **kwargs) -> None:
        super().__init__(prob=prob, **kwargs)
        self.kernel = check_kernel_cfg(type(self).__name__, kernel or {})

    def sample(self, rng: np.random.Generator, hw: HW, gt_hw: HW) -> Params:
        return dict(kernel=sample_blur_kernel(rng, **self.kernel))

    def apply(self, img: np.ndarray, params: Params, rng: np.random.Generator) -> np.ndarray:
        return filter2d_image(img, params['kernel'])

    def apply_batch(self, x: torch.Tensor, params: Sequence[Params],
                    gen: torch.Generator) -> torch.Tensor:
        kernels = torch.from_numpy(np.stack([p['kernel'] for p in params]).astype(np.float32))
        return filter2d_batch(x, kernels.to(x.device))
