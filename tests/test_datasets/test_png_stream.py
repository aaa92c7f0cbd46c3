"""PngStream writes the PNG format itself, so independent decoders are its oracle: libpng
(through OpenCV) and Pillow's own decoder must read back exactly the quantised samples,
for every filter type, 8 and 16 bits, with and without alpha, across IDAT chunks."""
import os

import cv2
import numpy as np
import pytest
from PIL import Image

from pgpsr.datasets import png_stream
from pgpsr.datasets.png_canvas import quantise
from pgpsr.datasets.png_stream import FILTERS, PngStream


def picture(h: int = 90, w: int = 77) -> np.ndarray:
    """Gradients, a sawtooth and noise: rows on which each of the five filters wins."""
    yy, xx = np.mgrid[:h, :w]
    img = np.stack([xx / w, yy / h, (xx + yy) % 13 / 13], -1).astype(np.float32)
    img[h // 3:h // 2] = np.random.default_rng(0).random((h // 2 - h // 3, w, 3))
    img[-8:] = 0.25
    return img


def write(path, img, alpha=None, bit_depth=8, band=11) -> PngStream:
    h, w = img.shape[:2]
    with PngStream(str(path), h, w, alpha is not None, bit_depth) as png:
        for y in range(0, h, band):
            png.put_rows(y, img[y:y + band], None if alpha is None else alpha[y:y + band])
    return png


@pytest.mark.parametrize('bit_depth', [8, 16])
@pytest.mark.parametrize('with_alpha', [False, True])
def test_libpng_and_pillow_read_back_the_samples(tmp_path, bit_depth, with_alpha):
    img = picture()
    alpha = np.random.default_rng(1).random(img.shape[:2]).astype(np.float32)
    alpha = alpha if with_alpha else None
    png = write(tmp_path / 'a.png', img, alpha, bit_depth)
    assert all(n > 0 for n in png.filter_counts), dict(zip(FILTERS, png.filter_counts))
    want = quantise(img, bit_depth)
    if with_alpha:
        want = np.dstack([want, quantise(alpha, bit_depth)])
    back = cv2.imread(str(tmp_path / 'a.png'), cv2.IMREAD_UNCHANGED)
    back = np.dstack([back[..., 2::-1], back[..., 3:]])  # BGR(A) -> RGB(A)
    assert back.dtype == want.dtype and np.array_equal(back, want)
    pil = Image.open(tmp_path / 'a.png')
    pil.load()
    if bit_depth == 8:  # Pillow has no 16-bit RGB mode
        assert pil.mode == ('RGBA' if with_alpha else 'RGB')
        assert np.array_equal(np.asarray(pil), want)
    else:
        assert pil.info.get('transparency') is None and pil.size == img.shape[1::-1]


def test_many_idat_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(png_stream, 'IDAT_BYTES', 97)
    monkeypatch.setattr(png_stream, 'FILTER_BYTES', 300)  # several filter passes per band
    img = picture(40, 33)
    write(tmp_path / 'b.png', img, band=7)
    data = open(tmp_path / 'b.png', 'rb').read()
    assert data.count(b'IDAT') > 5
    assert np.array_equal(np.asarray(Image.open(tmp_path / 'b.png')), quantise(img, 8))


def test_a_failed_run_leaves_the_old_file_and_no_partial_one(tmp_path):
    dst = tmp_path / 'c.png'
    dst.write_bytes(b'old')
    with pytest.raises(RuntimeError, match='model crashed'):
        with PngStream(str(dst), 4, 3) as png:
            png.put_rows(0, np.zeros((2, 3, 3), np.float32))
            raise RuntimeError('model crashed')
    assert dst.read_bytes() == b'old' and os.listdir(tmp_path) == ['c.png']
    png = PngStream(str(tmp_path / 'd.png'), 4, 3)
    png.put_rows(0, np.zeros((2, 3, 3), np.float32))
    with pytest.raises(ValueError, match='2 of 4 rows'):
        png.close()
    assert os.listdir(tmp_path) == ['c.png']


def test_misuse_is_named(tmp_path):
    with pytest.raises(ValueError, match='bit_depth'):
        PngStream(str(tmp_path / 'e.png'), 2, 2, bit_depth=12)
    png = PngStream(str(tmp_path / 'f.png'), 4, 3)
    with pytest.raises(ValueError, match='in order'):
        png.put_rows(2, np.zeros((2, 3, 3), np.float32))
    with pytest.raises(ValueError, match='do not fit'):
        png.put_rows(0, np.zeros((2, 5, 3), np.float32))
    with pytest.raises(ValueError, match='alpha'):
        png.put_rows(0, np.zeros((2, 3, 3), np.float32), np.zeros((2, 3), np.float32))
    png.abort()
    assert os.listdir(tmp_path) == []
