"""Blur kernels of the Real-ESRGAN degradation, sampled from an explicit generator.

The shapes (isotropic/anisotropic gaussian, generalized gaussian, plateau) come from
mmagic's kernel primitives; sampling their parameters is done here with a
``np.random.Generator`` so that the per-image and the batched pipelines draw from one
code path. Ref: Wang et al., "Real-ESRGAN", ICCVW 2021, Sec. 3.
"""
import math
from typing import Sequence

import numpy as np
from mmagic.datasets.transforms import blur_kernels as mm
from scipy import special

KERNEL_TYPES = ('iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso',
                'plateau_aniso')
PAD_TO = 21  # every kernel is padded to the largest size so a batch stacks them


def circular_lowpass_kernel(omega: float, size: int, pad_to: int = 0) -> np.ndarray:
    """2-D sinc (ideal circular low-pass) kernel with cut-off ``omega`` (radians)."""
    if size % 2 != 1:
        raise ValueError(f'sinc kernel size must be odd, got {size}')
    c = (size - 1) / 2
    y, x = np.mgrid[:size, :size]
    r = np.hypot(x - c, y - c)
    with np.errstate(divide='ignore', invalid='ignore'):
        k = omega * special.j1(omega * r) / (2 * np.pi * r)
    k[int(c), int(c)] = omega ** 2 / (4 * np.pi)
    k = k / k.sum()
    return pad_kernel(k, pad_to)


def pad_kernel(kernel: np.ndarray, pad_to: int) -> np.ndarray:
    """Zero-pad a square odd kernel to ``pad_to`` (no-op when already that big)."""
    p = (pad_to - kernel.shape[0]) // 2
    return np.pad(kernel, p) if p > 0 else kernel


def _beta(rng: np.random.Generator, lo: float, hi: float) -> float:
    # half the draws below 1 and half above, as Real-ESRGAN does
    return float(rng.uniform(lo, 1) if rng.random() < 0.5 else rng.uniform(1, hi))


def mixed_kernel(rng: np.random.Generator, kernel_type: str, size: int,
                 sigma_range: Sequence[float], betag_range: Sequence[float],
                 betap_range: Sequence[float]) -> np.ndarray:
    """One kernel of ``kernel_type`` with random sigma, rotation and shape parameter."""
    if kernel_type not in KERNEL_TYPES:
        raise ValueError(f'unknown kernel type {kernel_type!r}; expected one of {KERNEL_TYPES}')
    iso = kernel_type.endswith('iso') and not kernel_type.endswith('aniso')
    sx = float(rng.uniform(*sigma_range))
    sy = sx if iso else float(rng.uniform(*sigma_range))
    theta = 0.0 if iso else float(rng.uniform(-math.pi, math.pi))
    if kernel_type.startswith('generalized'):
        k = mm.bivariate_generalized_gaussian(size, sx, sy, theta, _beta(rng, *betag_range),
                                              is_isotropic=iso)
    elif kernel_type.startswith('plateau'):
        k = mm.bivariate_plateau(size, sx, sy, theta, _beta(rng, *betap_range),
                                 is_isotropic=iso)
    else:
        k = mm.bivariate_gaussian(size, sx, sy, theta, is_isotropic=iso)
    return k / k.sum()


def sample_blur_kernel(rng: np.random.Generator, kernel_list: Sequence[str] = KERNEL_TYPES,
                       kernel_prob: Sequence[float] = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03),
                       sinc_prob: float = 0.1, sigma_range: Sequence[float] = (0.2, 3.0),
                       betag_range: Sequence[float] = (0.5, 4.0),
                       betap_range: Sequence[float] = (1.0, 2.0),
                       kernel_sizes: Sequence[int] = tuple(range(7, 22, 2))) -> np.ndarray:
    """A Real-ESRGAN blur kernel (sinc with ``sinc_prob``), padded to 21x21, sum 1."""
    size = int(rng.choice(kernel_sizes))
    if rng.random() < sinc_prob:
        lo = math.pi / 3 if size < 13 else math.pi / 5
        return circular_lowpass_kernel(float(rng.uniform(lo, math.pi)), size, PAD_TO)
    p = np.asarray(kernel_prob, dtype=np.float64)
    kernel_type = str(rng.choice(list(kernel_list), p=p / p.sum()))
    return pad_kernel(mixed_kernel(rng, kernel_type, size, sigma_range, betag_range,
                                   betap_range), PAD_TO)

