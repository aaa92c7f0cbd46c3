"""PSNR-Y / SSIM-Y metrics for mmengine's Evaluator (val_evaluator / test_evaluator).

The papers' protocol (AdcSR's ``evaluate.py``: pyiqa ``psnr``/``ssim`` with
``test_y_channel=True, color_space='ycbcr'``) scores the whole image: ``PSNRY`` and
``SSIMY(round_y=True)`` with the default ``crop_border=0``. The BasicSR habit of removing
``scale`` pixels on each side is ``PSNRYCrop`` / ``SSIMYCrop``, reported as
``PSNR_crop4`` / ``SSIM_crop4`` so a cropped number is never read as the papers' one.
"""
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
    """SSIM on Y (BT.601, MATLAB convention), averaged over images.

    Args:
        round_y: Round Y to integers first, as pyiqa's ``ssim`` does (the papers' SSIM).
    """
    name = 'SSIM'

    def __init__(self, *args, round_y: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.round_y = round_y

    def score(self, pred, gt):
        return ssim(gt, pred, self.crop_border, self.to_y, self.round_y)


class _Cropped:
    """Default ``crop_border=4``; the reported name carries the crop (``PSNR_crop4``)."""

    def __init__(self, crop_border: int = 4, **kwargs) -> None:
        if crop_border < 1:
            raise ValueError(f'{type(self).__name__}: crop_border must be >= 1, got '
                             f'{crop_border} (use {type(self).__name__[:-4]} for none)')
        super().__init__(crop_border=crop_border, **kwargs)
        self.name = f'{self.name}_crop{crop_border}'


@METRICS.register_module()
class PSNRYCrop(_Cropped, PSNRY):
    """PSNR-Y with ``crop_border`` pixels removed on each side, named ``PSNR_crop<n>``."""


@METRICS.register_module()
class SSIMYCrop(_Cropped, SSIMY):
    """SSIM-Y with ``crop_border`` pixels removed on each side, named ``SSIM_crop<n>``."""
