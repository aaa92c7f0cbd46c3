"""Random JPEG compression (OpenCV per image, the torch codec per batch)."""
from typing import Sequence

import cv2
import numpy as np
import torch

from pgpsr.registry import TRANSFORMS
from .base import HW, DegradationStep, Params
from .jpeg_torch import jpeg_batch


def jpeg_image(img: np.ndarray, quality: int) -> np.ndarray:
    """Encode+decode an RGB float image in [0, 1] at ``quality`` with OpenCV (libjpeg)."""
    u8 = np.clip(np.rint(img * 255), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode('.jpg', u8[..., ::-1], [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)])
    if not ok:
        raise RuntimeError(f'OpenCV failed to JPEG-encode an image of shape {img.shape}')
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255.0


@TRANSFORMS.register_module()
class RandomJPEGDegradation(DegradationStep):
    """JPEG at a quality drawn uniformly from ``quality_range`` (integers, inclusive)."""

    def __init__(self, quality_range: Sequence[int] = (30, 95), **kwargs) -> None:
        super().__init__(**kwargs)
        lo, hi = quality_range
        if not 1 <= lo <= hi <= 100:
            raise ValueError(f'{type(self).__name__}: quality_range must lie in [1, 100], '
                             f'got {quality_range}')
        self.quality_range = (int(lo), int(hi))

    def sample(self, rng: np.random.Generator, hw: HW, gt_hw: HW) -> Params:
        return dict(quality=int(rng.integers(self.quality_range[0], self.quality_range[1] + 1)))

    def apply(self, img: np.ndarray, params: Params, rng: np.random.Generator) -> np.ndarray:
        return jpeg_image(img, params['quality'])

    def apply_batch(self, x: torch.Tensor, params: Sequence[Params],
                    gen: torch.Generator) -> torch.Tensor:
        return jpeg_batch(x, torch.tensor([p['quality'] for p in params], device=x.device))
