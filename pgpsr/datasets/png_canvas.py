"""The output image filled strip by strip, already quantised, held in memory.

For arrays (notebooks, tests); tools/infer.py streams to disk with
:class:`~pgpsr.datasets.png_stream.PngStream` instead and holds no full-size buffer.

A float [0, 1] image costs 12 bytes a pixel (and more in temporaries while it is
converted); the canvas holds the final 8- or 16-bit samples (3 or 6 bytes a pixel, one
more channel with alpha), quantised as each strip finishes with the rounding of
:func:`~pgpsr.datasets.image_writer.write_png`, so the pixels are the same. It is kept
in OpenCV's channel order so that writing the PNG makes no copy of it.
"""
import os
from typing import Optional

import cv2
import numpy as np


def quantise(unit: np.ndarray, bit_depth: int) -> np.ndarray:
    """Float in [0, 1] -> uint8 / uint16, rounded as ``write_png`` rounds."""
    if bit_depth == 16:
        return np.rint(unit * 65535).astype(np.uint16)
    return np.rint(unit * 255).astype(np.uint8)


class PngCanvas:
    """An HxW RGB(A) image at ``bit_depth`` (8 or 16), written band by band.

    Args:
        height / width: Output size in pixels.
        alpha: Whether the image has an alpha channel.
        bit_depth: 8 or 16 bits per sample.
    """

    def __init__(self, height: int, width: int, alpha: bool = False, bit_depth: int = 8):
        if bit_depth not in (8, 16):
            raise ValueError(f'bit_depth must be 8 or 16, got {bit_depth}')
        self.bit_depth = bit_depth
        dtype = np.uint16 if bit_depth == 16 else np.uint8
        self.bgra = np.zeros((height, width, 4 if alpha else 3), dtype)

    def put_rows(self, y0: int, rgb: np.ndarray, alpha: Optional[np.ndarray] = None) -> None:
        """Rows ``y0 ..`` from an hxWx3 float RGB in [0, 1] (and hxW alpha, given exactly
        when the canvas has an alpha channel)."""
        if (alpha is not None) != (self.bgra.shape[2] == 4):
            raise ValueError('alpha must be given exactly when the canvas has an alpha channel')
        self.bgra[y0:y0 + rgb.shape[0], :, 2::-1] = quantise(rgb, self.bit_depth)
        if alpha is not None:
            self.bgra[y0:y0 + alpha.shape[0], :, 3] = quantise(alpha, self.bit_depth)

    def rgb(self) -> np.ndarray:
        """The colour channels in RGB order (a view, no copy)."""
        return self.bgra[..., 2::-1]

    def save(self, path: str) -> None:
        """Write the PNG at ``path`` atomically (a temporary name, then ``os.replace``)."""
        tmp = path + '.part.png'
        try:
            if not cv2.imwrite(tmp, self.bgra):
                raise OSError(f'could not write {path}')
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
