"""Reading any photo a user has into a predictable array, or one clear error.

Grayscale, palette, RGBA, CMYK and 16-bit (grey or colour) files are converted to RGB; the alpha channel
is returned separately (inference upscales it on its own and reattaches it). Truncated or
unreadable files raise :class:`BadImageError` naming the file.
"""
from typing import NamedTuple, Optional

import numpy as np
from PIL import Image, UnidentifiedImageError

Image.MAX_IMAGE_PIXELS = None  # huge photos are the user's choice; tiling bounds memory


class BadImageError(ValueError):
    """The file is not a decodable image."""


class DecodedImage(NamedTuple):
    rgb: np.ndarray            # HxWx3 float32 in [0, 1]
    alpha: Optional[np.ndarray]  # HxW float32 in [0, 1], or None
    bit_depth: int             # 8 or 16 (what the file held)


def _to_unit_float(arr: np.ndarray, mode: str) -> tuple:
    if mode in ('I;16', 'I;16B', 'I;16L', 'I') or arr.dtype == np.uint16:
        return arr.astype(np.float32) / 65535.0, 16
    if arr.dtype == np.int32:
        return np.clip(arr, 0, 65535).astype(np.float32) / 65535.0, 16
    if arr.dtype == bool:
        return arr.astype(np.float32), 8
    return arr.astype(np.float32) / 255.0, 8


def _deep_colour(path: str, fmt: Optional[str]) -> Optional[np.ndarray]:
    """A 16-bit colour PNG/TIFF as RGB(A) uint16, else None. PIL decodes these to 8 bits
    (it has no 16-bit RGB mode); OpenCV keeps every bit."""
    if fmt not in ('PNG', 'TIFF'):
        return None
    import cv2
    arr = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if arr is None or arr.dtype != np.uint16 or arr.ndim != 3 or arr.shape[2] not in (3, 4):
        return None
    return np.ascontiguousarray(arr[..., [2, 1, 0, 3][:arr.shape[2]]])


def _load_strictly(im) -> None:
    """``im.load()`` that fails on a truncated file even when an imported library has set
    Pillow's process-wide ``LOAD_TRUNCATED_IMAGES`` (pyiqa does, on import)."""
    from PIL import ImageFile
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        im.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def read_image(path: str) -> DecodedImage:
    """Decode ``path`` fully (truncation is detected) into RGB float32 + optional alpha."""
    try:
        with Image.open(path) as im:
            _load_strictly(im)
            mode, fmt = im.mode, im.format
            if mode in ('P', 'PA', 'LA', 'CMYK', 'YCbCr', 'HSV', 'LAB', '1', 'RGBX', 'RGBa'):
                im = im.convert('RGBA' if ('A' in mode or 'transparency' in im.info)
                                else 'RGB')
                mode = im.mode
            arr = np.asarray(im)
    except FileNotFoundError:
        raise BadImageError(f'{path}: file not found') from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BadImageError(f'{path}: cannot decode image ({exc}); the file is unreadable, '
                            'truncated or not an image') from None
    deep = _deep_colour(path, fmt) if mode in ('RGB', 'RGBA') else None
    arr = arr if deep is None else deep
    unit, depth = _to_unit_float(arr, mode)
    alpha = None
    if unit.ndim == 2:
        rgb = np.repeat(unit[..., None], 3, axis=2)
    elif unit.shape[2] == 4:
        rgb, alpha = unit[..., :3], unit[..., 3]
    elif unit.shape[2] == 3:
        rgb = unit
    else:
        raise BadImageError(f'{path}: unsupported channel count {unit.shape[2]}')
    if min(rgb.shape[:2]) < 1:
        raise BadImageError(f'{path}: empty image')
    return DecodedImage(np.ascontiguousarray(rgb, dtype=np.float32), alpha, depth)


def to_uint8(rgb: np.ndarray) -> np.ndarray:
    """Float image in [0, 1] -> uint8 with rounding."""
    return (np.clip(rgb, 0, 1) * 255.0 + 0.5).astype(np.uint8)
