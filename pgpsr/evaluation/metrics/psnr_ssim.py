"""PSNR-Y / SSIM-Y metrics for mmengine's Evaluator (val_evaluator / test_evaluator)."""
from typing import Optional

from pgpsr.registry import METRICS
from .functional import psnr, ssim
from .per_image import PerImageMetric


class _FullReferenceMetric(PerImageMetric):
    """``output.pred_img`` vs ``gt_img`` (both in [0, 255]) on Y (default) or RGB.

    Args:
        convert_to: ``'Y'`` (default) or ``None`` for RGB.
    """

    def __init__(self, crop_border: int = 0, convert_to: Optional[str] = 'Y',
                 channel_order: str = 'bgr', **kwargs) -> None:
        super().__init__(crop_border, channel_order, **kwargs)
        if convert_to not in ('Y', 'y', None):
            raise ValueError(f"{type(self).__name__}.convert_to must be 'Y' or None, "
                             f'got {convert_to!r}')
        self.to_y = convert_to is not None


@METRICS.register_module()
class PSNRY(_FullReferenceMetric):
    """PSNR on Y (BT.601, MATLAB convention), averaged over images."""
    name = 'PSNR'

    def score(self, pred, gt):
        return psnr(gt, pred, self.crop_border, self.to_y)


@METRICS.register_module()
class SSIMY(_FullReferenceMetric):
    """SSIM on Y (BT.601, MATLAB convention), averaged over images."""
    name = 'SSIM'

    def score(self, pred, gt):
        return ssim(gt, pred, self.crop_border, self.to_y)
