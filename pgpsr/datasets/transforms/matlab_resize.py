"""MATLAB-compatible bicubic resize: the antialiased 'BI' degradation of SR papers.

``cv2.resize(..., INTER_CUBIC)`` does not low-pass filter when shrinking, so its LR is
aliased; MATLAB's ``imresize`` widens the cubic kernel by 1/scale when downscaling. SR
benchmarks (Set5, DIV2K BI) and toolboxes (BasicSR ``imresize``, mmagic
``MATLABLikeResize``) use MATLAB's; pgpsr's ``BicubicDegradation`` and held-out protocol do
too. Each axis is one dense weight matrix, so a resize is two matrix products.
Ref: MATLAB ``imresize`` (Keys cubic, a = -0.5, kernel width 4, antialiasing on).
"""
import math
from functools import lru_cache
from typing import Tuple

import numpy as np
from scipy import sparse


def cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel with a = -0.5 (MATLAB's 'bicubic')."""
    ax = np.abs(x)
    ax2, ax3 = ax ** 2, ax ** 3
    near = (1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1)
    far = (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2))
    return near + far


@lru_cache(maxsize=64)
def resize_matrix(in_len: int, out_len: int, scale: float, antialias: bool = True
                  ) -> np.ndarray:
    """``out_len x in_len`` weights of one axis, edges mirrored as MATLAB does."""
    width = 4.0
    if scale < 1 and antialias:
        def kernel(x):
            return scale * cubic(scale * x)
        width = width / scale
    else:
        kernel = cubic
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)  # output pixel centre in input coordinates
    left = np.floor(u - width / 2)
    taps = int(math.ceil(width)) + 2
    idx = left[:, None] + np.arange(taps)[None]  # 1-based input indices
    w = kernel(u[:, None] - idx)
    w = w / w.sum(axis=1, keepdims=True)
    # symmetric padding: index 0 -> 1, in_len + 1 -> in_len, ...
    period = 2 * in_len
    mirrored = np.mod(idx - 1, period)
    mirrored = np.where(mirrored >= in_len, period - 1 - mirrored, mirrored).astype(np.int64)
    rows = np.repeat(np.arange(out_len), taps)
    return sparse.coo_matrix((w.reshape(-1), (rows, mirrored.reshape(-1))),
                             shape=(out_len, in_len)).toarray()


def output_size(size: Tuple[int, int], scale: float) -> Tuple[int, int]:
    """MATLAB's output size for a scale factor: ``ceil(side * scale)``."""
    return tuple(int(math.ceil(s * scale - 1e-9)) for s in size)


def imresize(img: np.ndarray, scale: float, antialias: bool = True) -> np.ndarray:
    """Resize an HxW or HxWxC image by ``scale`` as MATLAB's ``imresize(img, scale)``.

    Args:
        img: uint8, uint16 or float image.
        scale: Resize factor (0.25 for x4 downscaling).
        antialias: Widen the kernel when shrinking (MATLAB's default; off = aliased).

    Returns:
        The resized image, of ``img``'s dtype (integers rounded and clipped to their range).
    """
    if scale <= 0:
        raise ValueError(f'imresize: scale must be positive, got {scale}')
    h, w = img.shape[:2]
    oh, ow = output_size((h, w), scale)
    if min(oh, ow) < 1:
        raise ValueError(f'imresize: a {h}x{w} image scaled by {scale} has no pixels left')
    # banded matrices: sparse products cost O(taps) per output pixel, also for huge photos
    mh = sparse.csr_matrix(resize_matrix(h, oh, float(scale), antialias).astype(np.float32))
    mw = sparse.csr_matrix(resize_matrix(w, ow, float(scale), antialias).astype(np.float32))
    x = img.astype(np.float32).reshape(h, w, -1)
    c = x.shape[2]
    out = (mh @ x.reshape(h, w * c)).reshape(oh, w, c)            # rows
    out = (mw @ out.transpose(1, 0, 2).reshape(w, oh * c))          # columns
    out = out.reshape(ow, oh, c).transpose(1, 0, 2).reshape((oh, ow) + img.shape[2:])
    if np.issubdtype(img.dtype, np.integer):
        info = np.iinfo(img.dtype)
        return np.clip(np.round(out), info.min, info.max).astype(img.dtype)
    return out.astype(img.dtype)
