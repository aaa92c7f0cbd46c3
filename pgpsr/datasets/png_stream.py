"""A PNG written row band by row band straight to disk: no full-size buffer at all.

:class:`~pgpsr.datasets.png_canvas.PngCanvas` holds the whole quantised output (3 or 6
bytes a pixel) until ``cv2.imwrite``; for a 16k x 16k result that is 768 MiB of host
memory that the tiled sampler never needed. This writer emits the PNG format itself
(signature, IHDR, IDAT chunks of one zlib stream, IEND; the PNG spec, section 5-9): each
band is quantised as the canvas quantises it, filtered with the adaptive per-row choice
libpng makes by default (the filter whose residuals have the smallest sum of absolute
values as signed bytes), deflated and appended. The file goes to a temporary name and is
renamed into place on success only, as ``write_png`` does.
"""
import os
import struct
import zlib
from typing import Optional

import numpy as np

from .png_canvas import quantise

SIGNATURE = b'\x89PNG\r\n\x1a\n'
IDAT_BYTES = 1 << 20  # compressed bytes per IDAT chunk
FILTER_BYTES = 1 << 18  # raw bytes filtered at once (about 40 bytes of temporaries each)
FILTERS = ('none', 'sub', 'up', 'average', 'paeth')  # PNG filter types 0..4


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack('>I', len(data)) + kind + data + struct.pack(
        '>I', zlib.crc32(kind + data) & 0xffffffff)


def _paeth(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The Paeth predictor (spec 9.4) on int16 arrays: the neighbour nearest a + b - c."""
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def filter_rows(raw: np.ndarray, prev: np.ndarray, bpp: int) -> np.ndarray:
    """The n x (1 + L) filtered scanlines of ``raw`` (n x L bytes) whose row above the
    first is ``prev`` (L bytes; zeros for the image's first row): per row, the filter
    with the smallest sum of |residual as a signed byte|, its type byte first."""
    x = raw.astype(np.int16)
    up = np.concatenate([prev[None].astype(np.int16), x[:-1]])
    left = np.zeros_like(x)
    left[:, bpp:] = x[:, :-bpp]
    upleft = np.zeros_like(x)
    upleft[:, bpp:] = up[:, :-bpp]
    preds = (np.zeros_like(x), left, up, (left + up) // 2, _paeth(left, up, upleft))
    residuals = np.stack([(x - p) & 0xff for p in preds]).astype(np.uint8)  # 5 x n x L
    cost = np.abs(residuals.view(np.int8).astype(np.int32)).sum(-1)  # 5 x n
    best = cost.argmin(0)
    out = np.empty((raw.shape[0], raw.shape[1] + 1), np.uint8)
    out[:, 0] = best
    out[:, 1:] = residuals[best, np.arange(raw.shape[0])]
    return out


class PngStream:
    """An HxW RGB(A) PNG at ``bit_depth`` (8 or 16), written top to bottom by
    :meth:`put_rows`; use as a context manager (a failed run leaves no file behind).

    Args:
        path: Final file name; written as ``path + '.part.png'`` until closed.
        height / width: Image size in pixels.
        alpha: Whether the image has an alpha channel.
        bit_depth: 8 or 16 bits per sample.
        level: zlib compression level.
    """

    def __init__(self, path: str, height: int, width: int, alpha: bool = False,
                 bit_depth: int = 8, level: int = 6):
        if bit_depth not in (8, 16):
            raise ValueError(f'bit_depth must be 8 or 16, got {bit_depth}')
        self.path, self.tmp = path, path + '.part.png'
        self.height, self.width, self.bit_depth = height, width, bit_depth
        self.channels = 4 if alpha else 3
        self.bpp = self.channels * bit_depth // 8
        self.rows_written = 0
        self.filter_counts = [0] * len(FILTERS)
        self._prev = np.zeros(width * self.bpp, np.uint8)
        self._zip = zlib.compressobj(level)
        self._pending = bytearray()  # compressed bytes not yet in an IDAT chunk
        self._file = open(self.tmp, 'wb')
        ihdr = struct.pack('>IIBBBBB', width, height, bit_depth, 6 if alpha else 2, 0, 0, 0)
        self._file.write(SIGNATURE + _chunk(b'IHDR', ihdr))

    def put_rows(self, y0: int, rgb: np.ndarray, alpha: Optional[np.ndarray] = None) -> None:
        """Rows ``y0 ..`` from an hxWx3 float RGB in [0, 1] (and hxW alpha), in order."""
        if y0 != self.rows_written:
            raise ValueError(f'rows must come in order: expected row {self.rows_written}, '
                             f'got {y0}')
        if rgb.shape[1] != self.width or y0 + rgb.shape[0] > self.height:
            raise ValueError(f'rows of shape {rgb.shape} do not fit a {self.height}x'
                             f'{self.width} image at row {y0}')
        if (alpha is not None) != (self.channels == 4):
            raise ValueError('alpha must be given exactly when the image has an alpha channel')
        samples = quantise(rgb, self.bit_depth)
        if alpha is not None:
            samples = np.dstack([samples, quantise(alpha, self.bit_depth)])
        raw = samples.astype(samples.dtype.newbyteorder('>'), copy=False)  # PNG: big-endian
        raw = np.ascontiguousarray(raw).view(np.uint8).reshape(rgb.shape[0], -1)
        step = max(1, FILTER_BYTES // raw.shape[1])  # the filter's temporaries stay small
        for r in range(0, raw.shape[0], step):
            filtered = filter_rows(raw[r:r + step], self._prev, self.bpp)
            for kind, n in zip(*np.unique(filtered[:, 0], return_counts=True)):
                self.filter_counts[kind] += int(n)
            self._prev = raw[min(r + step, raw.shape[0]) - 1].copy()
            self._emit(self._zip.compress(filtered.tobytes()))
        self.rows_written += rgb.shape[0]

    def _emit(self, data: bytes, final: bool = False) -> None:
        self._pending += data
        while len(self._pending) >= IDAT_BYTES or (final and self._pending):
            self._file.write(_chunk(b'IDAT', bytes(self._pending[:IDAT_BYTES])))
            del self._pending[:IDAT_BYTES]

    def close(self) -> None:
        """Finish the file and rename it into place; refuses an image with rows missing."""
        if self.rows_written != self.height:
            self.abort()
            raise ValueError(f'{self.path}: {self.rows_written} of {self.height} rows written')
        self._emit(self._zip.flush(), final=True)
        self._file.write(_chunk(b'IEND', b''))
        self._file.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Drop the partial file (the final name is never touched)."""
        self._file.close()
        if os.path.exists(self.tmp):
            os.remove(self.tmp)

    def __enter__(self) -> 'PngStream':
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()
