"""super_resolve_to_canvas (what tools/infer.py writes) gives the pixels of the full-size
float path it replaced: super_resolve_float + upscale_alpha + write_png's rounding; the
PNG streamed by super_resolve_to_png holds those pixels without an output-sized buffer."""
import tracemalloc

import cv2
import numpy as np
import pytest
import torch

from pgpsr.apis import (super_resolve_float, super_resolve_to_canvas, super_resolve_to_png,
                        upscale_alpha)
from pgpsr.apis.inference import upscale_alpha_rows
from pgpsr.datasets import png_stream, read_image
from tests.tiny_models import tiny_residual_dit


@pytest.fixture(scope='module')
def model():
    """A tiny one-step residual DiT tiling at 8 px, perturbed away from plain bicubic."""
    return tiny_residual_dit(one_step=True)


def old_pixels(model, rgb, bit_depth, **kw):
    """The pre-strip tools/infer.py: full-size float, then write_png's rounding."""
    sr = super_resolve_float(model, rgb, **kw)
    return np.rint(sr * (65535 if bit_depth == 16 else 255)).astype(
        np.uint16 if bit_depth == 16 else np.uint8)


@pytest.mark.parametrize('color', ['none', 'wavelet', 'adain', 'adain_lr'])
@pytest.mark.parametrize('tile', [8, 0])  # tiled strips, and the untiled result cut up
def test_8_bit_pixels_equal_the_full_size_path(model, color, tile):
    rgb = np.random.default_rng(1).random((19, 23, 3)).astype(np.float32)
    want = old_pixels(model, rgb, 8, tile=tile, color=color)
    got = super_resolve_to_canvas(model, rgb, tile=tile, color=color).rgb()
    assert got.shape == want.shape == (76, 92, 3) and got.dtype == np.uint8
    diff = np.abs(got.astype(int) - want.astype(int))
    if color in ('none', 'wavelet'):
        assert diff.max() == 0
    else:  # global statistics summed in another order: a rare rounding-boundary pixel
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-3


def test_16_bit_and_alpha(model, tmp_path):
    rng = np.random.default_rng(2)
    rgb = rng.random((13, 17, 3)).astype(np.float32)
    alpha = rng.random((13, 17)).astype(np.float32)
    canvas = super_resolve_to_canvas(model, rgb, alpha, bit_depth=16, color='wavelet')
    assert np.array_equal(canvas.rgb(), old_pixels(model, rgb, 16, color='wavelet'))
    want_alpha = np.rint(upscale_alpha(alpha, 4) * 65535).astype(np.uint16)
    assert np.array_equal(canvas.bgra[..., 3], want_alpha)
    canvas.save(str(tmp_path / 'out.png'))
    back = read_image(str(tmp_path / 'out.png'))
    assert back.bit_depth == 16 and back.alpha is not None
    assert np.array_equal(np.rint(back.rgb * 65535).astype(np.uint16), canvas.rgb())


def test_alpha_bands_are_the_whole_upscale():
    alpha = np.random.default_rng(3).random((37, 11)).astype(np.float32)
    full = upscale_alpha(alpha, 4)
    for r0, r1 in ((0, 1), (0, 148), (7, 30), (100, 148), (147, 148)):
        assert np.array_equal(upscale_alpha_rows(alpha, 4, r0, r1), full[r0:r1])


def test_the_in_place_lr_conversion_is_the_old_arithmetic():
    from pgpsr.apis.inference import _to_tensor
    u8 = np.arange(256, dtype=np.uint8).reshape(16, 16, 1).repeat(3, 2)
    f32 = np.random.default_rng(5).random((9, 7, 3)).astype(np.float32)
    for img, div in ((u8, 255.0), (f32, 1.0)):
        old = torch.from_numpy(img.astype(np.float32) / div).permute(2, 0, 1)[None] * 2 - 1
        assert torch.equal(_to_tensor(img), old)


@pytest.mark.parametrize('color', ['none', 'wavelet', 'adain'])
def test_the_streamed_png_is_the_canvas(model, tmp_path, color):
    rng = np.random.default_rng(6)
    rgb = rng.random((21, 18, 3)).astype(np.float32)
    alpha = rng.random((21, 18)).astype(np.float32)
    for bits, a in ((8, None), (16, alpha)):
        canvas = super_resolve_to_canvas(model, rgb, a, bits, tile=8, color=color)
        dst = str(tmp_path / f'{color}{bits}.png')
        super_resolve_to_png(model, rgb, dst, a, bits, tile=8, color=color)
        assert np.array_equal(cv2.imread(dst, cv2.IMREAD_UNCHANGED), canvas.bgra)


def test_streaming_memory_does_not_grow_with_the_photo(model, tmp_path, monkeypatch):
    """numpy's allocations (tracked by tracemalloc) on the streamed path grow with a
    photo 4x as tall by its LR's float copy only (12 bytes an LR pixel), far less than
    the output's 3 bytes a pixel, while the in-memory canvas grows by all of those. (The PNG filter's batch
    and the IDAT chunk are cut to a few KiB so that these fixed buffers do not dwarf
    this tiny photo.)"""
    monkeypatch.setattr(png_stream, 'FILTER_BYTES', 2048)
    monkeypatch.setattr(png_stream, 'IDAT_BYTES', 4096)
    def numpy_peak(run):
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak
    peaks = {}
    for rows in (32, 128):
        rgb = np.random.default_rng(7).random((rows, 48, 3)).astype(np.float32)
        peaks[rows] = (
            numpy_peak(lambda: super_resolve_to_png(model, rgb, str(tmp_path / 's.png'),
                                                    tile=8, color='wavelet')),
            numpy_peak(lambda: super_resolve_to_canvas(model, rgb, tile=8, color='wavelet')))
    (stream_small, canvas_small), (stream_tall, canvas_tall) = peaks[32], peaks[128]
    out_growth = (128 - 32) * 4 * 48 * 4 * 3
    assert stream_tall - stream_small < out_growth / 2, peaks
    assert canvas_tall - canvas_small > out_growth, peaks
