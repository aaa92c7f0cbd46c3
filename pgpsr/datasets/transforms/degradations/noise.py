"""Random gaussian or poisson noise, colour or grey (Real-ESRGAN's noise model)."""
import math
from typing import Sequence

import numpy as np
import torch

from pgpsr.registry import TRANSFORMS
from .base import HW, DegradationStep, Params

GRAY_WEIGHTS = (0.299, 0.587, 0.114)


def poisson_levels(img_uint8_values: int) -> float:
    """Intensity levels for poisson noise: the distinct count rounded up to a power of two
    (a flat image: 1), as BasicSR's ``generate_poisson_noise``."""
    return float(2 ** math.ceil(math.log2(max(img_uint8_values, 1))))


def to_8bit_levels(x):
    """``x`` in [0, 1] rounded to the 8-bit grid: BasicSR draws the poisson counts from
    the rounded image and subtracts the rounded image (numpy or torch)."""
    return (x * 255).round().clip(0, 255) / 255


def distinct_levels(x: torch.Tensor) -> int:
    """Number of distinct 8-bit values in ``x`` (a bincount: 10x faster than unique)."""
    return int((torch.bincount(torch.round(x.clamp(0, 1) * 255).long().flatten(),
                               minlength=256) > 0).sum())


def poisson_sample(lam: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Poisson draws; exact below lambda=16, the rounded normal (same mean and variance,
    skew < 0.25) above. ``torch.poisson`` alone was ~10x slower than ``randn`` on CPU."""
    out = torch.round(lam + lam.sqrt() * torch.randn(lam.shape, generator=gen,
                                                     device=lam.device, dtype=lam.dtype))
    small = lam < 16
    if small.any():
        out[small] = torch.poisson(lam[small], generator=gen)
    return out.clamp_min(0)


@TRANSFORMS.register_module()
class RandomNoiseDegradation(DegradationStep):
    """Add gaussian (prob ``gaussian_prob``) or poisson noise; grey with ``gray_prob``.

    Args:
        sigma_range: Gaussian sigma in 8-bit levels (Real-ESRGAN: 1-30 first order).
        poisson_scale_range: Multiplier of the poisson noise (Real-ESRGAN: 0.05-3).
        gaussian_prob: Probability of gaussian (else poisson) noise.
        gray_prob: Probability that the noise is the same on all channels.
    """

    def __init__(self, sigma_range: Sequence[float] = (1.0, 30.0),
                 poisson_scale_range: Sequence[float] = (0.05, 3.0),
                 gaussian_prob: float = 0.5, gray_prob: float = 0.4, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sigma_range, self.poisson_scale_range = tuple(sigma_range), tuple(
            poisson_scale_range)
        self.gaussian_prob, self.gray_prob = gaussian_prob, gray_prob

    def sample(self, rng: np.random.Generator, hw: HW, gt_hw: HW) -> Params:
        gaussian = bool(rng.random() < self.gaussian_prob)
        strength = rng.uniform(*(self.sigma_range if gaussian else self.poisson_scale_range))
        return dict(gaussian=gaussian, strength=float(strength),
                    gray=bool(rng.random() < self.gray_prob))

    def apply(self, img: np.ndarray, params: Params, rng: np.random.Generator) -> np.ndarray:
        h, w, c = img.shape
        if params['gaussian']:
            noise = rng.standard_normal((h, w, 1 if params['gray'] else c)) * (
                params['strength'] / 255.0)
        else:
            src = img @ np.asarray(GRAY_WEIGHTS, np.float32)[:, None] if params['gray'] else img
            src = to_8bit_levels(src)
            levels = poisson_levels(len(np.unique(src)))
            noise = (rng.poisson(src * levels) / levels - src) * params['strength']
        return np.clip(img + noise.astype(np.float32), 0, 1)

    def apply_batch(self, x: torch.Tensor, params: Sequence[Params],
                    gen: torch.Generator) -> torch.Tensor:
        # one sample at a time: each draws only the field it needs (1 or 3 channels,
        # gaussian or poisson), which halved the time of a masked whole-batch version
        weights = torch.tensor(GRAY_WEIGHTS, device=x.device, dtype=x.dtype).view(3, 1, 1)
        out = torch.empty_like(x)
        for i, p in enumerate(params):
            img = x[i]
            src = (img * weights).sum(0, keepdim=True) if p['gray'] else img
            if p['gaussian']:
                noise = torch.randn(src.shape, generator=gen, device=x.device,
                                    dtype=x.dtype) * (p['strength'] / 255.0)
            else:
                src = to_8bit_levels(src)
                levels = poisson_levels(distinct_levels(src))
                noise = (poisson_sample(src * levels, gen) / levels - src) * p['strength']
            out[i] = (img + noise).clamp(0, 1)
        return out
