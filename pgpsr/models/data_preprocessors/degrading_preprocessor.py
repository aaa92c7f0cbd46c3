"""A data preprocessor that synthesises the LR inputs of a batch on the model's device.

Per-image CPU degradation is the known bottleneck of Real-ESRGAN-style training; this
runs the same degradation steps (``configs/_base_/degradations/``) on whole batches,
on the GPU when the model is there. Randomness is seeded by (seed, rank, batch count),
and the batch count is a buffer saved in checkpoints, so resume replays the same pairs.
"""
from typing import Dict, Optional, Sequence

import numpy as np
import torch
from mmagic.models.data_preprocessors import DataPreprocessor
from mmengine.dist import get_rank

from pgpsr.datasets.transforms.degradations import build_steps, degrade_batch
from pgpsr.registry import MODELS, TRANSFORMS


@MODELS.register_module()
class DegradingDataPreprocessor(DataPreprocessor):
    """mmagic's DataPreprocessor that first degrades the GT batch into its LR inputs.

    Args:
        degradation: Degradation steps (e.g. ``degradation`` of
            ``configs/_base_/degradations/realesrgan_x4.py``).
        sharpen_gt: Optional ``SharpenGT`` config: the targets become unsharp-masked
            GT (Real-ESRGAN); the degradation still starts from the plain GT.
        seed: Base seed. degrade_in_eval: Also synthesise inputs outside training
            (otherwise evaluation uses the inputs the data set provides).
        **kwargs: mmagic ``DataPreprocessor`` arguments (mean, std, ...).
    """

    def __init__(self, degradation: Sequence[Dict], sharpen_gt: Optional[Dict] = None,
                 seed: int = 0, degrade_in_eval: bool = False, **kwargs) -> None:
        kwargs.setdefault('mean', [127.5] * 3)
        kwargs.setdefault('std', [127.5] * 3)
        super().__init__(**kwargs)
        self.steps = build_steps(degradation)
        self.sharpen = TRANSFORMS.build(sharpen_gt) if sharpen_gt else None
        self.seed, self.degrade_in_eval = seed, degrade_in_eval
        self.register_buffer('num_batches', torch.zeros((), dtype=torch.long))

    def _generators(self, device: torch.device):
        key = [self.seed, get_rank(), int(self.num_batches)]
        rng = np.random.default_rng(key)
        gen = torch.Generator(device=device)
        gen.manual_seed(int(np.random.default_rng(key + [1]).integers(2 ** 62)))
        return rng, gen

    def synthesise(self, data: Dict) -> Dict:
        """Replace ``data['inputs']`` by degraded GT (uint8-valued, RGB like the loader)."""
        samples = data['data_samples']
        gt = torch.stack([s.gt_img for s in samples]).to(self.device).float() / 255.0
        rng, gen = self._generators(gt.device)
        self.num_batches += 1
        lq = degrade_batch(gt, self.steps, rng, gen)
        if self.sharpen is not None:
            gt_sharp = (self.sharpen.batch(gt) * 255).round()
            for s, g in zip(samples, gt_sharp):
                s.gt_img = g
        data['inputs'] = [x for x in (lq * 255).round()]
        for s in samples:
            s.set_metainfo(dict(img_channel_order=s.metainfo.get('gt_channel_order', 'rgb'),
                                img_color_type='color'))
        return data

    def forward(self, data: Dict, training: bool = False) -> Dict:
        if training or self.degrade_in_eval or _empty(data.get('inputs')):
            data = self.synthesise(dict(data))
        return super().forward(data, training)


def _empty(inputs) -> bool:
    return inputs is None or (isinstance(inputs, dict) and not inputs)
