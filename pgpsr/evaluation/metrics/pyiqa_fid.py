"""pyiqa's FID (clean-fid mode) on the images of a test run, without writing folders.

AdcSR's ``evaluate.py`` calls ``pyiqa.create_metric('fid')(sr_dir, hr_dir)``: each image
is resized to 299x299 channel by channel with PIL's bicubic on float32 (clean-fid),
mapped by (x - 128) / 128, and fed to pyiqa's FID Inception (pool3, 2048-d); the
Frechet distance of the two feature sets is pyiqa's own function. Here the same features
are taken from ``pred_img`` / ``gt_img`` as they arrive (rounded to 8 bits, RGB).
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from PIL import Image

from pgpsr.registry import METRICS
from .fid import fid_of_features
from .per_image import check_to_8bit, to_hwc_rgb
from .pyiqa_weights import build_pyiqa_net


def clean_resize(rgb: np.ndarray, size=(299, 299)) -> torch.Tensor:
    """HxWx3 RGB in [0, 255] -> 3x299x299 float32, clean-fid's per-channel PIL bicubic."""
    planes = []
    for c in range(3):
        plane = Image.fromarray(np.ascontiguousarray(rgb[..., c]).astype(np.uint8)
                                .astype(np.float32))
        plane = np.asarray(plane.resize(size, resample=Image.BICUBIC))
        planes.append(plane.clip(0, 255).reshape(*size, 1))
    return torch.tensor(np.concatenate(planes, axis=2).astype(np.float32)).permute(2, 0, 1)


@METRICS.register_module()
class PyiqaFID(BaseMetric):
    """FID of the set of ``output.pred_img`` against the set of ``gt_img`` (pyiqa ``fid``).

    Args:
        weights_dir: The torch-hub-style weights folder; default ``weights/torch_hub``.
        device: Where the network runs; default CUDA when available.
        channel_order: Order of the tensors reaching the metric (mmagic hands BGR).
        to_8bit: 'round' or 'truncate' the SR to 8 bits (see ``per_image.to_hwc_rgb``).
    """
    default_prefix: Optional[str] = ''
    pyiqa_name = 'fid'

    def __init__(self, weights_dir: Optional[str] = None, device: Optional[str] = None,
                 channel_order: str = 'bgr', to_8bit: str = 'round', **kwargs) -> None:
        super().__init__(**kwargs)
        self.to_8bit = check_to_8bit(to_8bit)
        self.device = torch.device(device or ('cuda' if torch.cuda.is_available() else 'cpu'))
        self.inception = build_pyiqa_net('fid', weights_dir, self.device).model
        self.channel_order = channel_order

    @torch.no_grad()
    def features(self, rgb: np.ndarray) -> np.ndarray:
        x = (clean_resize(rgb)[None].to(self.device) - 128) / 128
        feat = self.inception(x, False, False)[0]
        return feat.reshape(1, -1)[0].cpu().numpy()

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        for sample in data_samples:
            pred = to_hwc_rgb(sample['output']['pred_img'], self.channel_order, self.to_8bit)
            gt = to_hwc_rgb(sample['gt_img'], self.channel_order)
            self.results.append({'pred': self.features(pred), 'gt': self.features(gt)})

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        from pyiqa.archs.fid_arch import frechet_distance
        return fid_of_features(results, frechet_distance)
