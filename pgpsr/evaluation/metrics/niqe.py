"""NIQE (no-reference) with the official pristine parameters that ship in mmagic.

Ref: Mittal et al., "Making a completely blind image quality analyzer", 2013. Lower is
better. The model is fitted to the spread of features over 96x96 blocks, so an image
with fewer than two whole blocks after the border crop (e.g. a 128 px crop) has no
spread to measure: it gets NaN, which the metric reports as skipped, not a number.
"""
import numpy as np
from mmagic.evaluation.metrics.niqe import niqe as _mmagic_niqe

from pgpsr.registry import METRICS
from .per_image import PerImageMetric


def niqe_y(rgb: np.ndarray, crop_border: int = 0) -> float:
    """NIQE on the Y channel of an HxWx3 RGB image in [0, 255]; NaN under two blocks."""
    h, w = (n - 2 * crop_border for n in rgb.shape[:2])
    if min(h, w) < 96 or (h // 96) * (w // 96) < 2:
        return float('nan')
    bgr = np.ascontiguousarray(np.asarray(rgb, np.float32)[..., ::-1])
    try:
        value = float(_mmagic_niqe(bgr, crop_border, input_order='HWC', convert_to='y'))
    except np.linalg.LinAlgError:  # flat blocks: features without spread
        return float('nan')
    return value


@METRICS.register_module()
class NIQEY(PerImageMetric):
    """NIQE of ``output.pred_img`` (Y channel, border ``crop_border``), mean over images."""
    name = 'NIQE'
    needs_gt = False

    def score(self, pred, gt):
        return niqe_y(pred, self.crop_border)
