"""PSNR-Y / SSIM-Y metrics for mmengine's Evaluator (val_evaluator / test_evaluator)."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from pgpsr.registry import METRICS
from .functional import psnr, ssim


def _to_hwc_rgb(img, channel_order: str) -> np.ndarray:
    if isinstance(img, torch.Tensor):
        img = img.detach().cpu().float().numpy()
    img = np.asarray(img, dtype=np.float64)
    if img.ndim == 4:
        img = img[0]
    if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[-1] not in (1, 3):
        img = img.transpose(1, 2, 0)
    if img.shape[-1] == 1:
        img = np.repeat(img, 3, axis=-1)
    if channel_order.lower() == 'bgr':
        img = img[..., ::-1]
    # evaluate what would be saved: 8-bit rounded images
    return np.clip(np.round(img), 0, 255)


class _FullReferenceMetric(BaseMetric):
    """Per-image metric on ``output.pred_img`` vs ``gt_img`` (both in [0, 255]).

    Args:
        crop_border: Pixels removed on each side (the SR scale, by convention).
        convert_to: ``'Y'`` (default) or ``None`` for RGB.
        channel_order: Order of the tensors reaching the metric; mmagic's data
            preprocessor hands BGR to evaluation.
    """
    default_prefix: Optional[str] = None
    name = ''

    def __init__(self, crop_border: int = 0, convert_to: Optional[str] = 'Y',
                 channel_order: str = 'bgr', **kwargs) -> None:
        super().__init__(**kwargs)
        if convert_to not in ('Y', 'y', None):
            raise ValueError(f"{type(self).__name__}.convert_to must be 'Y' or None, "
                             f'got {convert_to!r}')
        self.crop_border, self.to_y = crop_border, convert_to is not None
        self.channel_order = channel_order

    def compute_one(self, gt: np.ndarray, pred: np.ndarray) -> float:
        raise NotImplementedError

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        for sample in data_samples:
            gt = _to_hwc_rgb(sample['gt_img'], self.channel_order)
            pred = _to_hwc_rgb(sample['output']['pred_img'], self.channel_order)
            self.results.append({self.name: self.compute_one(gt, pred)})

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        return {self.name: float(np.mean([r[self.name] for r in results]))}


@METRICS.register_module()
class PSNRY(_FullReferenceMetric):
    """PSNR on Y (BT.601, MATLAB convention), averaged over images."""
    name = 'PSNR'

    def compute_one(self, gt, pred):
        return psnr(gt, pred, self.crop_border, self.to_y)


@METRICS.register_module()
class SSIMY(_FullReferenceMetric):
    """SSIM on Y (BT.601, MATLAB convention), averaged over images."""
    name = 'SSIM'

    def compute_one(self, gt, pred):
        return ssim(gt, pred, self.crop_border, self.to_y)
