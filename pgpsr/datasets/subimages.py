"""Cut large photos into overlapping sub-images (the DIV2K/DF2K preparation of BasicSR).

Decoding a 2K PNG dominates data time; cutting it once into 480 px tiles lets the data
workers read small files. Sub-images are written atomically, so an interrupted run
resumes by skipping what exists.
"""
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np

from .image_folder import list_images
from .image_io import BadImageError, read_image, to_uint8


def tile_origins(length: int, crop: int, step: int, thresh: int) -> List[int]:
    """Start offsets along one axis: every ``step``, plus a last one flush with the end
    when the leftover is more than ``thresh`` pixels (images smaller than ``crop`` give
    one origin, the image itself)."""
    if length <= crop:
        return [0]
    starts = list(range(0, length - crop + 1, step))
    if length - (starts[-1] + crop) > thresh:
        starts.append(length - crop)
    return starts


def cut_image(path: str, stem: str, out_dir: str, crop: int, step: int, thresh: int,
              compression: int = 3) -> Tuple[str, int, str]:
    """Write ``{stem}_sNNN.png`` sub-images of ``path``; returns (path, written, error)."""
    try:
        img = to_uint8(read_image(path).rgb)[..., ::-1]  # BGR for cv2.imwrite
    except BadImageError as exc:
        return path, 0, str(exc)
    h, w = img.shape[:2]
    written = 0
    index = 0
    for y in tile_origins(h, crop, step, thresh):
        for x in tile_origins(w, crop, step, thresh):
            index += 1
            dst = osp.join(out_dir, f'{stem}_s{index:03d}.png')
            if osp.exists(dst):
                continue
            tile = np.ascontiguousarray(img[y:y + crop, x:x + crop])
            tmp = f'{dst}.tmp.png'
            if not cv2.imwrite(tmp, tile, [cv2.IMWRITE_PNG_COMPRESSION, compression]):
                return path, written, f'could not write {dst}'
            os.replace(tmp, dst)
            written += 1
    return path, written, ''


def list_inputs(in_dir: str) -> List[Tuple[str, str]]:
    """(path, output stem) of every image under ``in_dir``; sub-folders join the stem."""
    files = list_images(in_dir)
    if not files:
        raise FileNotFoundError(f'no images in {in_dir}')
    return [(osp.join(in_dir, f), osp.splitext(f)[0].replace(os.sep, '_')) for f in files]


def summarise(results: List[Tuple[str, int, str]]) -> Dict:
    bad = {p: e for p, _, e in results if e}
    return dict(images=len(results), sub_images=sum(n for _, n, _ in results), failed=bad)
