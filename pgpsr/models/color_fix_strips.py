"""The colour fix of :mod:`pgpsr.models.color_fix`, applied to a stream of SR strips.

A big output must never exist as a full-size float image (an 8000² photo took 18.7 GB
that way), so the fix consumes the finished strips of the tiler and yields fixed strips:

- ``wavelet`` is local (five a-trous levels reach 1+2+4+8+16 = 31 rows): each strip is
  fixed from a window of its neighbours, padded (replicated) only at the true top and
  bottom of the image, exactly as the full-image blur pads;
- ``adain`` / ``adain_lr`` need the statistics of the whole SR before the first pixel
  can be fixed: the unfixed strips are spooled to a temporary file (deleted at once,
  outside the process's resident memory) while their statistics accumulate in float64,
  then read back and mapped.

The bicubic reference is computed band by band from LR rows with a 3-row halo, which is
the full upsampling row for row (bicubic reads 2 rows either side).
"""
import tempfile
from typing import Iterable, Iterator, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .color_fix import COLOR_FIXES
from .tiling import Strip

LEVELS = 5
REACH = 2 ** LEVELS - 1  # rows of context the wavelet low-pass needs on each side
#: fewest rows the wavelet fix emits at once (except at the bottom): each emission
#: recomputes 2 * REACH rows of context, so thin tile rows are gathered first
MIN_WAVELET_ROWS = 256


#: columns per block of the wavelet fix: its temporaries (and torch's nine-fold unfolded
#: input of a dilated convolution on the CPU) stay block-sized, not strip-wide
WAVELET_COLS = 512

Span = Tuple[int, int]


def _halo(span: Span, scale: int, length: int) -> Span:
    """The LR span whose bicubic upscale covers SR ``span`` (bicubic reads 2 px either
    side; 3 kept)."""
    return max(0, span[0] // scale - 3), min(length, -(-span[1] // scale) + 3)


def bicubic_block(lr: torch.Tensor, scale: int, rows: Span, cols: Optional[Span] = None
                  ) -> torch.Tensor:
    """SR ``rows`` x ``cols`` (default: all) of ``F.interpolate(lr, scale x size,
    'bicubic')``, computed from the LR block under them only."""
    cols = cols or (0, lr.shape[-1] * scale)
    (a, b), (c, d) = _halo(rows, scale, lr.shape[-2]), _halo(cols, scale, lr.shape[-1])
    up = F.interpolate(lr[..., a:b, c:d].float(), size=((b - a) * scale, (d - c) * scale),
                       mode='bicubic', align_corners=False)
    return up[..., rows[0] - a * scale:rows[1] - a * scale,
              cols[0] - c * scale:cols[1] - c * scale]


def bicubic_rows(lr: torch.Tensor, scale: int, r0: int, r1: int) -> torch.Tensor:
    """Rows ``r0 .. r1`` of ``F.interpolate(lr, scale x size, 'bicubic')``."""
    return bicubic_block(lr, scale, (r0, r1))


def wavelet_low_block(block: torch.Tensor, origin: Span, full: Span, rows: Span,
                      cols: Span, levels: int = LEVELS) -> torch.Tensor:
    """``rows`` x ``cols`` of ``wavelet_low`` of a full image of size ``full``, given its
    block at ``origin`` (which must reach ``2**levels - 1`` px past the wanted ones on
    each side, or the image border). Each level pads the image border as ``_blur`` does
    and eats its dilation from the block's interior sides."""
    (h, w), (y, x0) = full, origin
    top, bottom = y == 0, y + block.shape[-2] == h
    left, right = x0 == 0, x0 + block.shape[-1] == w
    x = block
    for i in range(levels):
        d = 2 ** i
        pad = [d if side else 0 for side in (left, right, top, bottom)]
        x = F.conv2d(F.pad(x, pad, mode='replicate'), _kernel(x), groups=x.shape[1],
                     dilation=d)
        y, x0 = y + (0 if top else d), x0 + (0 if left else d)
    if (rows[0] < y or rows[1] > y + x.shape[-2] or cols[0] < x0
            or cols[1] > x0 + x.shape[-1]):
        raise ValueError(f'rows {rows} x cols {cols} need {2 ** levels - 1} px of context '
                         'on each side; the block given is too small')
    return x[..., rows[0] - y:rows[1] - y, cols[0] - x0:cols[1] - x0]


def wavelet_low_rows(band: torch.Tensor, b0: int, full: Span, r0: int, r1: int,
                     levels: int = LEVELS) -> torch.Tensor:
    """Rows ``r0 .. r1`` of ``wavelet_low`` from the full-width ``band`` at row ``b0``."""
    return wavelet_low_block(band, (b0, 0), full, (r0, r1), (0, full[1]), levels)


def _kernel(x: torch.Tensor) -> torch.Tensor:
    """``_blur``'s 3x3 binomial kernel, one per channel (tests hold the two equal)."""
    k = torch.tensor([[1 / 16, 1 / 8, 1 / 16], [1 / 8, 1 / 4, 1 / 8], [1 / 16, 1 / 8, 1 / 16]],
                     dtype=x.dtype, device=x.device)
    return k.expand(x.shape[1], 1, 3, 3)


class RunningStats:
    """Per-channel count, mean and squared deviations, merged strip by strip in float64
    (Chan et al.'s parallel update): the whole image's mean and unbiased std."""

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, x: torch.Tensor) -> None:
        x = x.double().transpose(0, 1).flatten(1)  # C x pixels
        n_b = x.shape[1]
        if n_b == 0:
            return
        mean_b = x.mean(1)
        m2_b = ((x - mean_b[:, None]) ** 2).sum(1)
        n = self.n + n_b
        delta = mean_b - self.mean
        self.mean = self.mean + delta * (n_b / n)
        self.m2 = self.m2 + m2_b + delta ** 2 * (self.n * n_b / n)
        self.n = n

    def mean_std(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """1xCx1x1 float32 mean and std (``torch.std``'s n - 1 correction)."""
        std = (self.m2 / max(self.n - 1, 1)).sqrt()
        return (self.mean.float().view(1, -1, 1, 1), std.float().view(1, -1, 1, 1))


def color_fix_strips(strips: Iterable[Strip], lr: torch.Tensor, scale: int, method: str,
                     spool_dir: Optional[str] = None) -> Iterator[Strip]:
    """Fix a stream of SR strips (``(y0, 1x3xhx(sW))``, top to bottom, covering the
    s-times upscale of the 1x3xHxW ``lr``) by ``method``; yields fixed, clamped strips
    equal to :func:`~pgpsr.models.color_fix.color_fix` on the whole image (to float
    rounding). ``spool_dir``: where AdaIN's temporary file goes (default: the system's)."""
    if method not in COLOR_FIXES:
        raise ValueError(f'color fix must be one of {COLOR_FIXES}, got {method!r}')
    if method == 'none':
        return iter(strips)
    if method == 'wavelet':
        return _wavelet(strips, lr, scale)
    return _adain(strips, lr, scale, method, spool_dir)


def _wavelet(strips: Iterable[Strip], lr: torch.Tensor, scale: int) -> Iterator[Strip]:
    full = (lr.shape[-2] * scale, lr.shape[-1] * scale)
    win, w0, done = None, 0, 0  # window of SR rows w0 .. w0 + len; rows < done are out
    for y0, strip in strips:
        win = strip.float() if win is None else torch.cat([win, strip.float()], dim=-2)
        w1 = w0 + win.shape[-2]
        end = full[0] if w1 == full[0] else w1 - REACH  # rows whose context is complete
        if end == full[0] or end - done >= MIN_WAVELET_ROWS:
            yield done, _wavelet_rows(win, w0, lr, scale, full, done, end)
            done = end
            keep = max(w0, done - REACH)
            win, w0 = win[..., keep - w0:, :], keep


def _wavelet_rows(win: torch.Tensor, w0: int, lr: torch.Tensor, scale: int,
                  full: Span, r0: int, r1: int) -> torch.Tensor:
    """Fixed rows ``r0 .. r1`` from the window of SR rows at ``w0``, block by block."""
    b0, b1 = max(0, r0 - REACH), min(full[0], r1 + REACH)
    out = win.new_empty(*win.shape[:-2], r1 - r0, full[1])
    for c0 in range(0, full[1], WAVELET_COLS):
        c1 = min(full[1], c0 + WAVELET_COLS)
        d0, d1 = max(0, c0 - REACH), min(full[1], c1 + REACH)
        sr = win[..., b0 - w0:b1 - w0, d0:d1]
        ref = bicubic_block(lr, scale, (b0, b1), (d0, d1))
        low_sr = wavelet_low_block(sr, (b0, d0), full, (r0, r1), (c0, c1))
        low_ref = wavelet_low_block(ref, (b0, d0), full, (r0, r1), (c0, c1))
        out[..., c0:c1] = (sr[..., r0 - b0:r1 - b0, c0 - d0:c1 - d0] - low_sr + low_ref
                           ).clamp(-1, 1)
    return out


def _reference_stats(lr: torch.Tensor, scale: int, method: str
                     ) -> Tuple[torch.Tensor, torch.Tensor]:
    if method == 'adain_lr':  # the LR itself is small: torch's own statistics
        lr = lr.float()
        return lr.mean((-2, -1), keepdim=True), lr.std((-2, -1), keepdim=True)
    stats, full_h, band = RunningStats(), lr.shape[-2] * scale, 16 * scale
    for r0 in range(0, full_h, band):
        stats.add(bicubic_rows(lr, scale, r0, min(full_h, r0 + band)))
    return stats.mean_std()


def _adain(strips: Iterable[Strip], lr: torch.Tensor, scale: int, method: str,
           spool_dir: Optional[str]) -> Iterator[Strip]:
    eps = 0.0 if method == 'adain_lr' else 1e-5
    r_mean, r_std = _reference_stats(lr, scale, method)
    stats, shapes = RunningStats(), []
    with tempfile.TemporaryFile(dir=spool_dir) as spool:  # file I/O, not mmap: not RSS
        for y0, strip in strips:
            strip = strip.float().contiguous()
            stats.add(strip)
            spool.write(strip.numpy().tobytes())
            shapes.append((y0, tuple(strip.shape)))
        s_mean, s_std = stats.mean_std()
        spool.seek(0)
        for y0, shape in shapes:
            buf = np.empty(shape, np.float32)
            spool.readinto(memoryview(buf).cast('B'))
            sr = torch.from_numpy(buf)
            yield y0, ((sr - s_mean) / (s_std + eps) * r_std + r_mean).clamp(-1, 1)
