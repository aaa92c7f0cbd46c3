"""Geometric augmentations for SR training (GT crop, flips, transpose)."""
import logging
from typing import Dict, Sequence, Set

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from pgpsr.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomCropGT(BaseTransform):
    """Random ``crop_size`` crop of ``results[key]``.

    Images smaller than the crop are reflect-padded up to it when ``pad_small`` (the
    default; a warning names each such file once), otherwise rejected with a message
    naming the file.
    """

    def __init__(self, crop_size: int, key: str = 'gt', pad_small: bool = True) -> None:
        self.crop_size, self.key, self.pad_small = int(crop_size), key, pad_small
        self.padded: Set[str] = set()

    def transform(self, results: Dict) -> Dict:
        img, c = results[self.key], self.crop_size
        h, w = img.shape[:2]
        if h < c or w < c:
            if not self.pad_small:
                raise ValueError(f"{results.get(f'{self.key}_path', self.key)}: image "
                                 f'{h}x{w} is smaller than the crop {c}x{c}')
            path = str(results.get(f'{self.key}_path', self.key))
            if path not in self.padded:
                self.padded.add(path)
                print_log(f'{path}: image {h}x{w} is smaller than the crop {c}x{c}; '
                          'reflect-padded up to it (pad_small=False refuses it instead)',
                          logger='current', level=logging.WARNING)
            mode = cv2.BORDER_REFLECT_101 if min(h, w) > 1 else cv2.BORDER_REPLICATE
            img = cv2.copyMakeBorder(img, 0, max(c - h, 0), 0, max(c - w, 0), mode)
            h, w = img.shape[:2]
        top = np.random.randint(0, h - c + 1)
        left = np.random.randint(0, w - c + 1)
        results[self.key] = np.ascontiguousarray(img[top:top + c, left:left + c])
        return results


@TRANSFORMS.register_module()
class RandomFlipRotate(BaseTransform):
    """Horizontal/vertical flips and HW transpose (the 8 dihedral views) on ``keys``."""

    def __init__(self, keys: Sequence[str] = ('gt',), hflip: float = 0.5,
                 vflip: float = 0.5, transpose: float = 0.5) -> None:
        self.keys, self.p = tuple(keys), (hflip, vflip, transpose)

    def transform(self, results: Dict) -> Dict:
        do = [np.random.rand() < p for p in self.p]
        for k in self.keys:
            img = results[k]
            if do[0]:
                img = img[:, ::-1]
            if do[1]:
                img = img[::-1]
            if do[2]:
                img = img.transpose(1, 0, 2)
            results[k] = np.ascontiguousarray(img)
        return results


@TRANSFORMS.register_module()
class CheckPairScale(BaseTransform):
    """A given (GT, LR) pair must be ``scale`` apart: GT of ``scale * LR`` size, or up to
    ``scale - 1`` pixels larger, which is cropped off (mod-crop, as SR test sets are made).
    Anything else is refused with both file names: a wrong pair would score nonsense."""

    def __init__(self, scale: int = 4) -> None:
        self.scale = int(scale)

    def transform(self, results: Dict) -> Dict:
        gt, lr, s = results['gt'], results['img'], self.scale
        (h, w), (gh, gw) = lr.shape[:2], gt.shape[:2]
        if not (s * h <= gh < s * (h + 1) and s * w <= gw < s * (w + 1)):
            raise ValueError(f"{results.get('gt_path')} is {gh}x{gw} but its LR "
                             f"{results.get('img_path')} is {h}x{w}: not a x{s} pair "
                             f'(GT must be {s * h}x{s * w})')
        results['gt'] = np.ascontiguousarray(gt[:s * h, :s * w])
        return results
