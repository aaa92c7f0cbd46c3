"""Seeded LR/HR test pairs from HR photos, as DIV2K-Val is made (StableSR/OSEDiff/AdcSR):
random crops of the HR photo, each degraded once by a configured degradation list.

Every pair's randomness (crop position and every degradation draw) comes from a seed
derived from the run's seed, the photo's file name and the crop index, never from the
order of the photos or from other pairs: the same HR folder and seed give the same LR
files on any machine, and one photo added or removed changes no other pair.
"""
import zlib
from typing import Dict, List, Tuple

import numpy as np

from pgpsr.utils.seeding import seeded_global_rng
from .transforms.degradations import DegradationPipeline


def pair_seed(seed: int, name: str, index: int) -> int:
    """A 31-bit seed for crop ``index`` of the photo called ``name``."""
    return zlib.crc32(f'{seed}:{name}:{index}'.encode()) & 0x7FFFFFFF


def random_crop(img: np.ndarray, size: int, seed: int) -> np.ndarray:
    """A ``size`` x ``size`` crop at a seeded position (the photo must be at least that)."""
    h, w = img.shape[:2]
    if min(h, w) < size:
        raise ValueError(f'a {w}x{h} photo is smaller than the {size} px crop')
    rng = np.random.default_rng(seed)
    y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
    return img[y:y + size, x:x + size]


def degrade(gt: np.ndarray, steps: List[Dict], seed: int) -> np.ndarray:
    """``steps`` (a degradation list, e.g. configs/_base_/degradations/realesrgan_x4.py's)
    applied to ``gt`` (RGB uint8) under the global streams seeded to ``seed`` (the
    per-image steps draw their own generators from numpy's); the caller's are kept."""
    with seeded_global_rng(seed):
        return DegradationPipeline(steps)(dict(gt=gt))['img']


def synthesize_pairs(name: str, hr: np.ndarray, steps: List[Dict], crop: int, count: int,
                     seed: int) -> List[Tuple[str, np.ndarray, np.ndarray]]:
    """``count`` pairs ``(stem, hr_crop, lr)`` from one photo ``name`` (RGB uint8)."""
    stem = name.rsplit('.', 1)[0].replace('/', '_')  # photos in sub-folders: one flat set
    out = []
    for k in range(count):
        s = pair_seed(seed, name, k)
        gt = np.ascontiguousarray(random_crop(hr, crop, s))
        out.append((f'{stem}_{k:02d}', gt, degrade(gt, steps, s)))
    return out
