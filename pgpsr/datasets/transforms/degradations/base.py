"""One step of a synthetic degradation, runnable per image (numpy) or per batch (torch).

Each step samples its parameters with an explicit ``np.random.Generator`` (``sample``) and
applies them either to one HxWx3 float image in [0, 1] (``apply``) or to a Bx3xHxW tensor
with one parameter dict per sample (``apply_batch``). The per-image transform and the
batched data preprocessor therefore share the sampling code, and agree in distribution.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmcv.transforms import BaseTransform

Params = Dict
HW = Tuple[int, int]


def as_float_image(img: np.ndarray) -> np.ndarray:
    """uint8 (or already float) HxWx3 -> float32 in [0, 1]."""
    if img.dtype == np.uint8:
        return img.astype(np.float32) / 255.0
    return img.astype(np.float32, copy=False)


def quantize_uint8(img: np.ndarray) -> np.ndarray:
    """Round to 8 bits, as a saved LR photo would be (Real-ESRGAN does the same)."""
    return np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)


class DegradationStep(BaseTransform):
    """Base of the degradation steps.

    The step degrades ``results[key]``; when that is absent it starts from
    ``results[src]`` (the GT), so a pipeline is simply the list of its steps.

    Args:
        prob: Probability that the step is applied to a sample.
        key: Where the degraded image lives. src: What the first step starts from.
        quantize: Store the result as uint8 (the last step of a pipeline does).
    """

    #: resize steps change the shape, so a batch shares one draw of their parameters
    shares_batch_params = False

    def __init__(self, prob: float = 1.0, key: str = 'img', src: str = 'gt',
                 quantize: bool = False) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'{type(self).__name__}: prob must be in [0, 1], got {prob}')
        self.prob, self.key, self.src, self.quantize = prob, key, src, quantize

    # -- to implement -------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, hw: HW, gt_hw: HW) -> Params:
        raise NotImplementedError

    def apply(self, img: np.ndarray, params: Params, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def apply_batch(self, x: torch.Tensor, params: Sequence[Params],
                    gen: torch.Generator) -> torch.Tensor:
        raise NotImplementedError

    # -- per image (mmcv transform) ---------------------------------------------------------
    def transform(self, results: Dict) -> Dict:
        img = results.get(self.key)
        img = as_float_image(results[self.src] if img is None else img)
        # derived from the global state, which the dataset seeds per sample
        rng = np.random.default_rng(np.random.randint(0, 2 ** 31 - 1))
        if rng.random() < self.prob:
            gt_hw = results[self.src].shape[:2]
            img = self.apply(img, self.sample(rng, img.shape[:2], gt_hw), rng)
        results[self.key] = quantize_uint8(img) if self.quantize else img
        results[f'{self.key}_channel_order'] = results.get(f'{self.src}_channel_order', 'rgb')
        results[f'{self.key}_color_type'] = 'color'
        results[f'ori_{self.key}_shape'] = results[self.key].shape
        return results

    # -- per batch ----------------------------------------------------------------------
    def run_batch(self, x: torch.Tensor, gt_hw: HW, rng: np.random.Generator,
                  gen: torch.Generator) -> torch.Tensor:
        """Apply to a batch: per-sample parameters (one shared draw for resize steps)."""
        b, hw = x.shape[0], tuple(x.shape[-2:])
        if self.shares_batch_params:
            if rng.random() >= self.prob:
                return x
            return self.apply_batch(x, [self.sample(rng, hw, gt_hw)] * b, gen)
        applied: List[int] = [i for i in range(b) if rng.random() < self.prob]
        params: List[Optional[Params]] = [self.sample(rng, hw, gt_hw) for _ in applied]
        if not applied:
            return x
        if len(applied) == b:
            return self.apply_batch(x, params, gen)
        out = x.clone()
        idx = torch.tensor(applied, device=x.device)
        out[idx] = self.apply_batch(x[idx], params, gen)
        return out

    def __repr__(self) -> str:
        fields = ', '.join(f'{k}={v!r}' for k, v in vars(self).items())
        return f'{type(self).__name__}({fields})'
