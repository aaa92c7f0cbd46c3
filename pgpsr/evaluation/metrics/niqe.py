"""NIQE (no-reference) with the official pristine parameters that ship in mmagic.

Ref: Mittal et al., "Making a completely blind image quality analyzer", 2013. Lower is
better. Defined on 96x96 blocks, so images smaller than 96 px (after the border crop)
get NaN, which the metric reports as skipped rather than as a number.
"""
import math
from typing import Dict, List, Sequence

import numpy as np
from mmagic.evaluation.metrics.niqe import niqe as _mmagic_niqe
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from pgpsr.registry import METRICS
from .psnr_ssim import _to_hwc_rgb


def niqe_y(rgb: np.ndarray, crop_border: int = 0) -> float:
    """NIQE on the Y channel of an HxWx3 RGB image in [0, 255]; NaN below 96 px."""
    h, w = rgb.shape[:2]
    if min(h, w) - 2 * crop_border < 96:
        return float('nan')
    bgr = np.ascontiguousarray(np.asarray(rgb, np.float32)[..., ::-1])
    return float(_mmagic_niqe(bgr, crop_border, input_order='HWC', convert_to='y'))


@METRICS.register_module()
class NIQEY(BaseMetric):
    """NIQE of ``output.pred_img`` (Y channel, border ``crop_border``), mean over images."""
    default_prefix = None

    def __init__(self, crop_border: int = 0, channel_order: str = 'bgr', **kwargs) -> None:
        super().__init__(**kwargs)
        self.crop_border, self.channel_order = crop_border, channel_order

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        for sample in data_samples:
            pred = _to_hwc_rgb(sample['output']['pred_img'], self.channel_order)
            self.results.append(niqe_y(pred, self.crop_border))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        valid = [r for r in results if not math.isnan(r)]
        if len(valid) < len(results):
            print_log(f'NIQE: {len(results) - len(valid)} image(s) smaller than 96 px '
                      'skipped', logger='current', level=30)
        return {'NIQE': float(np.mean(valid)) if valid else float('nan')}
