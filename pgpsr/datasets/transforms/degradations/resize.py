"""Random resize (up / down / keep; area, bilinear or bicubic) of the degraded image."""
from typing import Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from pgpsr.registry import TRANSFORMS
from .base import HW, DegradationStep, Params

CV2_MODES = dict(area=cv2.INTER_AREA, bilinear=cv2.INTER_LINEAR, bicubic=cv2.INTER_CUBIC)


def resize_image(img: np.ndarray, size: HW, mode: str) -> np.ndarray:
    out = cv2.resize(img, (size[1], size[0]), interpolation=CV2_MODES[mode])
    return out[..., None] if out.ndim == 2 else out


def resize_batch(x: torch.Tensor, size: HW, mode: str) -> torch.Tensor:
    kwargs = {} if mode == 'area' else dict(align_corners=False)
    if mode == 'bicubic':  # bicubic overshoots; clamp like the per-image path's clip
        return F.interpolate(x, size=size, mode=mode, **kwargs).clamp(0, 1)
    return F.interpolate(x, size=size, mode=mode, **kwargs)


def check_modes(owner: str, modes: Sequence[str], probs: Sequence[float]) -> None:
    bad = [m for m in modes if m not in CV2_MODES]
    if bad or len(modes) != len(probs):
        raise ValueError(f'{owner}: modes must be a subset of {list(CV2_MODES)} with one '
                         f'probability each; got modes={list(modes)}, probs={list(probs)}')


@TRANSFORMS.register_module()
class RandomResizeDegradation(DegradationStep):
    """Resize by a random factor: up (1..max), down (min..1) or keep, in a random mode.

    Args:
        scale_range: (min, max) factor. updown_probs: Probabilities of up, down, keep.
        modes / mode_probs: Interpolation modes and their probabilities.
        target_scale: When set (Real-ESRGAN's second order), the factor is relative to the
            final LR size ``GT / target_scale`` instead of the current size.
    """

    shares_batch_params = True

    def __init__(self, scale_range: Sequence[float] = (0.15, 1.5),
                 updown_probs: Sequence[float] = (0.2, 0.7, 0.1),
                 modes: Sequence[str] = ('area', 'bilinear', 'bicubic'),
                 mode_probs: Sequence[float] = (1 / 3, 1 / 3, 1 / 3),
                 target_scale: Optional[int] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        check_modes(type(self).__name__, modes, mode_probs)
        if len(updown_probs) != 3 or not 0 < scale_range[0] <= 1 <= scale_range[1]:
            raise ValueError(f'{type(self).__name__}: need updown_probs=(up, down, keep) '
                             f'and scale_range=(min<=1, max>=1); got {updown_probs}, '
                             f'{scale_range}')
        self.scale_range, self.updown_probs = tuple(scale_range), tuple(updown_probs)
        self.modes, self.mode_probs = tuple(modes), tuple(mode_probs)
        self.target_scale = target_scale

    def sample(self, rng: np.random.Generator, hw: HW, gt_hw: HW) -> Params:
        p = np.asarray(self.updown_probs, dtype=np.float64)
        updown = rng.choice(3, p=p / p.sum())
        lo, hi = self.scale_range
        factor = (float(rng.uniform(1, hi)), float(rng.uniform(lo, 1)), 1.0)[updown]
        ref = hw if self.target_scale is None else [s / self.target_scale for s in gt_hw]
        mp = np.asarray(self.mode_probs, dtype=np.float64)
        return dict(size=(max(1, int(ref[0] * factor)), max(1, int(ref[1] * factor))),
                    mode=str(rng.choice(list(self.modes), p=mp / mp.sum())))

    def apply(self, img: np.ndarray, params: Params, rng: np.random.Generator) -> np.ndarray:
        return np.clip(resize_image(img, params['size'], params['mode']), 0, 1)

    def apply_batch(self, x: torch.Tensor, params: Sequence[Params],
                    gen: torch.Generator) -> torch.Tensor:
        return resize_batch(x, params[0]['size'], params[0]['mode'])
