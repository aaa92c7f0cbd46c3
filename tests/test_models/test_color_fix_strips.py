"""Colour fix on a stream of strips == ``color_fix`` on the whole image (the oracle), for
every method, strip layout and the small sizes where the blur switches to replicate."""
import os

import pytest
import torch
import torch.nn.functional as F

from pgpsr.models import color_fix_strips as strips_module
from pgpsr.models.color_fix import COLOR_FIXES, color_fix, wavelet_low
from pgpsr.models.color_fix_strips import (RunningStats, bicubic_block, bicubic_rows,
                                           color_fix_strips, wavelet_low_block, wavelet_low_rows)


def images(h, w, scale=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    lr = torch.rand(1, 3, h, w, generator=g) * 2 - 1
    up = F.interpolate(lr, scale_factor=scale, mode='nearest')
    # a colour drift and texture, so every fix has work to do
    sr = (up * 0.8 + 0.15 + 0.1 * torch.randn(up.shape, generator=g)).clamp(-1, 1)
    return lr, sr


def cut(sr, heights):
    """``sr`` as strips of the given heights (cycled) down to the bottom."""
    y, k = 0, 0
    while y < sr.shape[-2]:
        h = heights[k % len(heights)]
        yield y, sr[..., y:y + h, :]
        y, k = y + h, k + 1


def fixed(sr, lr, method, heights, **kw):
    strips = list(color_fix_strips(cut(sr, heights), lr, 4, method, **kw))
    assert [y for y, _ in strips][0] == 0
    assert all(y + s.shape[-2] == n for (y, s), (n, _) in zip(strips, strips[1:]))
    return torch.cat([s for _, s in strips], dim=-2)


@pytest.mark.parametrize('method', COLOR_FIXES)
@pytest.mark.parametrize('h, w, heights', [
    (37, 29, [48, 36, 64]),   # a tiler's strips (odd LR size)
    (30, 41, [1, 7, 3]),      # strips much thinner than the wavelet's reach
    (25, 18, [1000]),         # one strip: the whole image
    (3, 50, [5]),             # 12 rows: smaller than dilation 16
    (6, 2, [4, 9]),           # 8 columns: not larger than dilation 8
])
@pytest.mark.parametrize('min_rows, cols', [(1, 512), (40, 9)])  # the wavelet emits every
def test_strips_equal_the_whole_image_fix(method, h, w, heights, min_rows, cols, monkeypatch):
    """strip or in bunches, in one column block or in many"""
    monkeypatch.setattr(strips_module, 'MIN_WAVELET_ROWS', min_rows)
    monkeypatch.setattr(strips_module, 'WAVELET_COLS', cols)
    lr, sr = images(h, w)
    want = color_fix(sr, lr, method)
    got = fixed(sr, lr, method, heights)
    assert got.shape == want.shape
    assert (got - want).abs().max() <= 1e-5, (got - want).abs().max()
    if method in ('none', 'wavelet'):  # no global statistics: the same arithmetic
        assert torch.equal(got, want)


def test_bicubic_rows_are_the_full_upsampling_rows():
    lr, _ = images(23, 9)
    full = F.interpolate(lr, size=(92, 36), mode='bicubic', align_corners=False)
    for r0, r1 in ((0, 1), (0, 92), (5, 11), (40, 57), (88, 92), (91, 92)):
        assert torch.equal(bicubic_rows(lr, 4, r0, r1), full[..., r0:r1, :])


def test_blocks_are_the_full_images_blocks():
    lr, _ = images(23, 19)
    full = F.interpolate(lr, size=(92, 76), mode='bicubic', align_corners=False)
    x = torch.rand(1, 3, 92, 76, generator=torch.Generator().manual_seed(4))
    low = wavelet_low(x)
    for rows, cols in (((0, 92), (0, 76)), ((5, 11), (40, 57)), ((60, 92), (0, 3)),
                       ((40, 50), (70, 76))):
        assert torch.equal(bicubic_block(lr, 4, rows, cols),
                           full[..., rows[0]:rows[1], cols[0]:cols[1]])
        (b0, b1), (d0, d1) = [(max(0, a - 31), min(n, b + 31))
                              for (a, b), n in ((rows, 92), (cols, 76))]
        got = wavelet_low_block(x[..., b0:b1, d0:d1], (b0, d0), (92, 76), rows, cols)
        assert (got - low[..., rows[0]:rows[1], cols[0]:cols[1]]).abs().max() < 1e-6
    with pytest.raises(ValueError, match='context'):  # one column short of the reach
        wavelet_low_block(x[..., :, 10:], (0, 10), (92, 76), (0, 92), (40, 45))


def test_wavelet_low_rows_need_exactly_the_reach():
    x = torch.rand(1, 3, 120, 40, generator=torch.Generator().manual_seed(3))
    full = wavelet_low(x)
    for b0, b1, r0, r1 in ((0, 71, 0, 40), (29, 120, 60, 120), (19, 111, 50, 80)):
        got = wavelet_low_rows(x[..., b0:b1, :], b0, (120, 40), r0, r1)
        assert (got - full[..., r0:r1, :]).abs().max() < 1e-6
    with pytest.raises(ValueError, match='context'):  # one row short of the reach
        wavelet_low_rows(x[..., 20:110, :], 20, (120, 40), 50, 80)


def test_running_stats_match_torch_over_uneven_pieces():
    x = torch.rand(1, 3, 50, 20, dtype=torch.float64) * 3 + 1
    stats = RunningStats()
    for y0, piece in cut(x, [1, 13, 0, 7]):
        stats.add(piece)
    mean, std = stats.mean_std()
    assert torch.allclose(mean.double(), x.mean((-2, -1), keepdim=True), atol=1e-6)
    assert torch.allclose(std.double(), x.std((-2, -1), keepdim=True), atol=1e-6)


def test_adain_spool_is_deleted_and_bad_method_is_named(tmp_path):
    lr, sr = images(20, 20)
    stream = color_fix_strips(cut(sr, [16]), lr, 4, 'adain', spool_dir=str(tmp_path))
    next(stream)
    stream.close()
    list(color_fix_strips(cut(sr, [16]), lr, 4, 'adain', spool_dir=str(tmp_path)))
    assert os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match="'sharpen'"):
        color_fix_strips(cut(sr, [16]), lr, 4, 'sharpen')
