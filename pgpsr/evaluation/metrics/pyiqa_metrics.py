"""The papers' perceptual metrics, computed by pyiqa's own networks (pyiqa-exact).

PGP-DiffSR and AdcSR score with AdcSR's ``evaluate.py``: ``pyiqa.create_metric(name)``
with defaults, on images read from files as RGB in [0, 1]. These metrics give pyiqa the
same tensors (``pred_img`` rounded to 8 bits as a saved image, RGB, uint8 / 255) and the
same networks, with weights from the local folder of :mod:`.pyiqa_weights`.
Ref: Chen et al., "TOPIQ..." / pyiqa (https://github.com/chaofengc/IQA-PyTorch).
"""
from typing import Dict, Optional

import numpy as np
import torch

from pgpsr.registry import METRICS
from .per_image import PerImageMetric
from .pyiqa_weights import build_pyiqa_net


def rgb_tensor(img: np.ndarray, device) -> torch.Tensor:
    """HxWx3 RGB in [0, 255] (integral) -> 1x3xHxW float32 in [0, 1], as ToTensor reads a PNG."""
    x = torch.from_numpy(np.ascontiguousarray(img.astype(np.uint8))).permute(2, 0, 1)[None]
    return x.float().div(255).to(device)


class PyiqaMetric(PerImageMetric):
    """A per-image pyiqa metric; subclasses set ``name``, ``pyiqa_name`` and ``needs_gt``.

    Args:
        weights_dir: The torch-hub-style weights folder; default ``weights/torch_hub``.
        device: Where the network runs; default CUDA when available.
        pyiqa_opts: Options overriding pyiqa's defaults (tests shrink MANIQA's crops).
        channel_order: Order of the tensors reaching the metric (mmagic hands BGR).
    """
    pyiqa_name = ''

    def __init__(self, weights_dir: Optional[str] = None, device: Optional[str] = None,
                 pyiqa_opts: Optional[Dict] = None, channel_order: str = 'bgr',
                 **kwargs) -> None:
        super().__init__(crop_border=0, channel_order=channel_order, **kwargs)
        self.device = torch.device(device or ('cuda' if torch.cuda.is_available() else 'cpu'))
        self.net = build_pyiqa_net(self.pyiqa_name, weights_dir, self.device,
                                   **(pyiqa_opts or {}))

    @torch.no_grad()
    def score(self, pred: np.ndarray, gt: Optional[np.ndarray]) -> float:
        args = [rgb_tensor(pred, self.device)]
        if self.needs_gt:
            args.append(rgb_tensor(gt, self.device))
        return float(self.net(*args).flatten()[0])


@METRICS.register_module()
class PyiqaLPIPS(PyiqaMetric):
    """pyiqa ``lpips``: AlexNet features, v0.1 heads (lower is better)."""
    name, pyiqa_name = 'LPIPS', 'lpips'


@METRICS.register_module()
class PyiqaDISTS(PyiqaMetric):
    """pyiqa ``dists`` (lower is better)."""
    name, pyiqa_name = 'DISTS', 'dists'


@METRICS.register_module()
class PyiqaNIQE(PyiqaMetric):
    """pyiqa ``niqe`` on Y (no reference, lower is better)."""
    name, pyiqa_name, needs_gt = 'NIQE', 'niqe', False


@METRICS.register_module()
class MUSIQ(PyiqaMetric):
    """pyiqa ``musiq`` (KonIQ-10k checkpoint; no reference, higher is better)."""
    name, pyiqa_name, needs_gt = 'MUSIQ', 'musiq', False


@METRICS.register_module()
class MANIQA(PyiqaMetric):
    """pyiqa ``maniqa-pipal`` (PIPAL checkpoint, 20 uniform 224 px crops; no reference,
    higher is better)."""
    name, pyiqa_name, needs_gt = 'MANIQA', 'maniqa-pipal', False


@METRICS.register_module()
class CLIPIQA(PyiqaMetric):
    """pyiqa ``clipiqa`` (CLIP RN50, antonym prompt pairs; no reference, higher is better)."""
    name, pyiqa_name, needs_gt = 'CLIPIQA', 'clipiqa', False
