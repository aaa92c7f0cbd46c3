"""PngCanvas: quantised as write_png rounds, saved in RGB order, misuse named."""
import numpy as np
import pytest
from PIL import Image

from pgpsr.datasets.png_canvas import PngCanvas, quantise


def test_quantise_rounds_as_write_png():
    x = np.array([0, 0.5 / 255, 1.5 / 255, 0.5, 1], np.float32)
    assert quantise(x, 8).tolist() == np.rint(x * 255).astype(np.uint8).tolist()
    assert quantise(x, 16).dtype == np.uint16 and quantise(x, 16)[-1] == 65535


def test_canvas_writes_rgb_png_and_refuses_misuse(tmp_path):
    canvas = PngCanvas(2, 3)
    canvas.put_rows(0, np.array([[[1, 0, 0.5]] * 3] * 2, np.float32))
    canvas.save(str(tmp_path / 'a.png'))
    img = Image.open(tmp_path / 'a.png')
    assert img.mode == 'RGB' and np.asarray(img)[0, 0].tolist() == [255, 0, 128]
    with pytest.raises(ValueError, match='alpha'):
        canvas.put_rows(0, np.zeros((2, 3, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match='bit_depth'):
        PngCanvas(2, 2, bit_depth=12)
