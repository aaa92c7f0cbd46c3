"""Base for metrics scored image by image: averages for the Evaluator, every image's
value kept in ``per_image`` (``tools/test.py --out`` writes both), NaN values skipped
with a warning, and a metric whose weights are absent skipped with its reason."""
import math
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log


TO_8BIT = ('round', 'truncate')


def check_to_8bit(to_8bit: str) -> str:
    if to_8bit not in TO_8BIT:
        raise ValueError(f'to_8bit must be one of {TO_8BIT}, got {to_8bit!r}')
    return to_8bit


def to_hwc_rgb(img, channel_order: str, to_8bit: str = 'round') -> np.ndarray:
    """HxWx3 RGB float64 in [0, 255], quantised as a saved 8-bit image would be:
    ``'round'`` (pgpsr's writers) or ``'truncate'`` (the references' test scripts save
    through torchvision's ToPILImage, ``mul(255).byte()``: the clamped value's floor)."""
    if isinstance(img, torch.Tensor):
        img = img.detach().cpu().float().numpy()
    img = np.asarray(img, dtype=np.float64)
    if img.ndim == 4:
        img = img[0]
    if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[-1] not in (1, 3):
        img = img.transpose(1, 2, 0)
    if img.ndim == 2:
        img = img[..., None]
    if img.shape[-1] == 1:
        img = np.repeat(img, 3, axis=-1)
    if channel_order.lower() == 'bgr':
        img = img[..., ::-1]
    if check_to_8bit(to_8bit) == 'truncate':
        return np.floor(np.clip(img, 0, 255))
    return np.clip(np.round(img), 0, 255)


def sample_name(sample: Dict, index: int) -> str:
    if sample.get('key'):
        return str(sample['key'])
    for k in ('gt_path', 'img_path'):
        if sample.get(k):
            return osp.splitext(osp.basename(sample[k]))[0]
    return f'image_{index:05d}'


class PerImageMetric(BaseMetric):
    """Subclasses set ``name`` and implement :meth:`score` (one image -> one float).

    Args:
        crop_border: Pixels removed on each side before scoring (the SR scale).
        channel_order: Order of the tensors reaching the metric; mmagic's data
            preprocessor hands BGR to evaluation.
        to_8bit: How the prediction becomes 8-bit before scoring: 'round' or 'truncate'
            (the papers' protocol: AdcSR's and OSEDiff's test scripts truncate).
    """
    default_prefix: Optional[str] = ''  # metric names as they are: PSNR, FID, ...
    name = ''
    needs_gt = True

    def __init__(self, crop_border: int = 0, channel_order: str = 'bgr',
                 to_8bit: str = 'round', **kwargs) -> None:
        super().__init__(**kwargs)
        self.crop_border, self.channel_order = crop_border, channel_order
        self.to_8bit = check_to_8bit(to_8bit)
        self.skip_reason: Optional[str] = None
        self.per_image: List[Dict] = []

    def skip(self, reason: str) -> None:
        """Say once, clearly, why this metric reports nothing."""
        self.skip_reason = f'{self.name} skipped: {reason}'
        print_log(self.skip_reason, logger='current', level=30)

    def score(self, pred: np.ndarray, gt: Optional[np.ndarray]) -> float:
        raise NotImplementedError

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        for sample in data_samples:
            name = sample_name(sample, len(self.results))
            if self.skip_reason:
                self.results.append({'image': name})
                continue
            pred = to_hwc_rgb(sample['output']['pred_img'], self.channel_order, self.to_8bit)
            gt = to_hwc_rgb(sample['gt_img'], self.channel_order) if self.needs_gt else None
            self.results.append({'image': name, self.name: float(self.score(pred, gt))})

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        self.per_image = list(results)
        if self.skip_reason:
            return {}
        values = [r[self.name] for r in results]
        valid = [v for v in values if not math.isnan(v)]
        if len(valid) < len(values):
            print_log(f'{self.name}: {len(values) - len(valid)} of {len(values)} image(s) '
                      'could not be scored (too small) and are left out of the mean',
                      logger='current', level=30)
        return {self.name: float(np.mean(valid)) if valid else float('nan')}
