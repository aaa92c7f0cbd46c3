"""Shared by LPIPS and DISTS: a VGG16 backbone from a local file plus small heads that
ship in a PyPI wheel; skipped with the reason when either is missing."""
from typing import Optional

import numpy as np
import torch
from torch import nn

from pgpsr.models.perceptual import (DEFAULT_VGG16, load_vgg16_features, missing_reason,
                            package_file, vgg16_missing)
from .per_image import PerImageMetric


class VGGPerceptualMetric(PerImageMetric):
    """A per-image metric on VGG16 features plus its own heads (LPIPS, DISTS).

    Args:
        vgg16_path: torchvision's ``vgg16-397923af.pth``; default: torchvision's cache.
        head_path: The metric's own weights; default: the file in its wheel.
        device: Where the network runs; default CUDA when available.
    """
    head_package = ('', '')  # (package, file inside it)
    input_scale = 'unit'     # 'unit': [0, 1]; 'symmetric': [-1, 1]

    def __init__(self, vgg16_path: Optional[str] = DEFAULT_VGG16,
                 head_path: Optional[str] = None, device: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        head_path = head_path or package_file(*self.head_package)
        reason = vgg16_missing(vgg16_path) or missing_reason(
            head_path, f'{self.name} head weights',
            f'install {self.head_package[0]} (requirements) or set head_path')
        self.net = None
        self.device = torch.device(device or ('cuda' if torch.cuda.is_available() else 'cpu'))
        if reason:
            self.skip(reason)
        else:
            heads = torch.load(head_path, map_location='cpu', weights_only=True)
            self.net = self.build_net(load_vgg16_features(vgg16_path), heads).to(self.device)

    def build_net(self, features: nn.Sequential, heads: dict) -> nn.Module:
        raise NotImplementedError

    def _tensor(self, img: np.ndarray) -> torch.Tensor:
        c = self.crop_border
        if c:
            img = img[c:-c, c:-c]
        x = torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)[None].float() / 255
        return (x * 2 - 1 if self.input_scale == 'symmetric' else x).to(self.device)

    @torch.no_grad()
    def score(self, pred, gt):
        return float(self.net(self._tensor(pred), self._tensor(gt))[0])
