"""Writing super-resolved images: PNG at the input's bit depth, alpha reattached, atomic.

A crash or kill mid-write never leaves a truncated PNG under the final name (nor
replaces an older file with one): the image goes to a temporary name in the same
folder, then ``os.replace`` puts it in place.
"""
import os
from typing import Optional

import cv2
import numpy as np
from PIL import Image


def write_png(path: str, rgb: np.ndarray, alpha: Optional[np.ndarray] = None,
              bit_depth: int = 8) -> None:
    """Write ``rgb`` (HxWx3 float in [0, 1]) and optional ``alpha`` (HxW, [0, 1]) as an
    8- or 16-bit PNG at ``path``, atomically."""
    tmp = path + '.part.png'
    try:
        if bit_depth == 16:  # PIL has no 16-bit RGB mode: OpenCV writes 16-bit PNGs
            arr = np.rint(rgb * 65535).astype(np.uint16)[..., ::-1]
            if alpha is not None:
                arr = np.dstack([arr, np.rint(alpha * 65535).astype(np.uint16)])
            if not cv2.imwrite(tmp, arr):
                raise OSError(f'could not write {path}')
        else:
            arr = np.rint(rgb * 255).astype(np.uint8)
            if alpha is not None:
                arr = np.dstack([arr, np.rint(alpha * 255).astype(np.uint8)])
            Image.fromarray(arr).save(tmp, format='PNG')
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
