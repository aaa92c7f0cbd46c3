"""Unsharp masking of the GT (Real-ESRGAN sharpens its training targets)."""
from typing import Dict

import numpy as np
import torch
from mmagic.datasets.transforms import UnsharpMasking
from mmcv.transforms import BaseTransform

from pgpsr.registry import TRANSFORMS
from .blur import filter2d_batch


@TRANSFORMS.register_module()
class SharpenGT(BaseTransform):
    """Replace ``results[key]`` (uint8) by its unsharp-masked version (mmagic's USM).

    Real-ESRGAN's defaults: radius 50 (kernel 51), weight 0.5, threshold 10 levels.
    """

    def __init__(self, key: str = 'gt', kernel_size: int = 51, sigma: float = 0.0,
                 weight: float = 0.5, threshold: float = 10.0) -> None:
        self.key = key
        self.usm = UnsharpMasking(kernel_size, sigma, weight, threshold, keys=[key])

    def transform(self, results: Dict) -> Dict:
        out = self.usm._unsharp_masking(results[self.key].astype(np.float32))
        results[self.key] = np.clip(np.rint(out), 0, 255).astype(np.uint8)
        return results

    def batch(self, x: torch.Tensor) -> torch.Tensor:
        """The same on a Bx3xHxW batch in [0, 1] (returns [0, 1], rounded to 8 bits)."""
        k = torch.from_numpy(np.asarray(self.usm.kernel, np.float32))[None].to(x.device)
        ks = k.expand(x.shape[0], -1, -1)
        residue = x - filter2d_batch(x, ks)
        mask = (residue.abs() * 255 > self.usm.threshold).to(x.dtype)
        soft = filter2d_batch(mask, ks)
        sharp = (x + self.usm.weight * residue).clamp(0, 1)
        return torch.round((soft * sharp + (1 - soft) * x) * 255) / 255

