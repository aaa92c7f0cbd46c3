"""The 2-D real DFT (``rfft2`` / ``irfft2``, norm='ortho') as real matrix products.

Exported graphs need it: ONNX's DFT operator, as torch's exporter writes a one-sided
``rfft2`` and onnxruntime runs it, fails on non-square grids (a shape mismatch in
onnxruntime 1.32), and complex tensors do not exist in ONNX. The same transform as
cos/sin matrix products is exact in real arithmetic and exports as MatMul; eager code
keeps ``torch.fft``. Feature grids are small (a tile's latent), so the O(n^3) cost is
negligible next to the denoiser.
"""
import math
from typing import Tuple

import torch


def _cos_sin(n: int, m: int, like: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of 2 pi k j / n for k < n, j < m (angles reduced mod n first, exact in
    integers, so large grids lose no precision)."""
    k = torch.arange(n, device=like.device)
    j = torch.arange(m, device=like.device)
    n_t = k.new_full((), n)  # a tensor: the exporter takes no symbolic scalar modulus
    angle = torch.remainder(k[:, None] * j[None, :], n_t)
    angle = angle.to(torch.float32) * (2 * math.pi) / n_t.to(torch.float32)
    return angle.cos(), angle.sin()


def rfft2_parts(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Real and imaginary parts of ``torch.fft.rfft2(x, norm='ortho')`` (..., H, W//2+1)."""
    h, w = x.shape[-2], x.shape[-1]
    cw, sw = _cos_sin(w, w // 2 + 1, x)  # (W, W//2+1)
    ch, sh = _cos_sin(h, h, x)  # (H, H), symmetric
    yr, yi = x @ cw, -(x @ sw)  # along W: e^{-i theta}
    re = ch @ yr + sh @ yi  # along H: (C - iS)(yr + i yi)
    im = ch @ yi - sh @ yr
    scale = 1 / torch.sqrt(torch.tensor(float(1), device=x.device) * h * w)
    return re * scale, im * scale


def irfft2_parts(re: torch.Tensor, im: torch.Tensor, size) -> torch.Tensor:
    """``torch.fft.irfft2(torch.complex(re, im), s=size, norm='ortho')``: the inverse over
    H, then the Hermitian (c2r) inverse over W, which ignores the imaginary parts of the
    DC and Nyquist columns as torch does."""
    h, w = size
    half = w // 2 + 1
    ch, sh = _cos_sin(h, h, re)
    zr = ch @ re - sh @ im  # along H: (C + iS)(re + i im)
    zi = ch @ im + sh @ re
    cw, sw = _cos_sin(w, half, re)  # (W, half)
    # weight 2 for the columns that stand for a conjugate pair, 1 for DC (and Nyquist)
    col = torch.arange(half, device=re.device)
    weight = torch.where((col == 0) | (col * 2 == w), 1.0, 2.0).to(re.dtype)
    x = (zr * weight) @ cw.transpose(0, 1) - (zi * weight) @ sw.transpose(0, 1)
    scale = 1 / torch.sqrt(torch.tensor(float(1), device=re.device) * h * w)
    return x * scale
