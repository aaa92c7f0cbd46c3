"""What every SR model here shares at test time: tiled sampling and mmagic predictions.

A model provides ``sample(lr, seed=None)`` (LR batch in [-1, 1] -> SR in [-1, 1]),
``scale``, ``test_cfg`` (``tile``, ``tile_overlap``, ``seed``) and a data preprocessor;
this mixin gives it ``sample_any_size`` and ``predict`` for tools/test.py, infer.py and
benchmark.py.
"""
from typing import Callable, Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmagic.structures import DataSample

from ..tiling import tiled_super_resolve


class SRPredictMixin:
    lr_size_divisor = 1  # models whose input grid needs multiples override this

    def _pad_lr(self, lr: torch.Tensor) -> torch.Tensor:
        """Pad LR sides up to ``lr_size_divisor`` (reflect; replicate when too small)."""
        d = self.lr_size_divisor
        h, w = lr.shape[-2:]
        ph, pw = (-h) % d, (-w) % d
        if ph or pw:
            mode = 'reflect' if ph < h and pw < w else 'replicate'
            lr = F.pad(lr, (0, pw, 0, ph), mode=mode)
        return lr

    def forward_inference(self, inputs: Union[torch.Tensor, Dict], data_samples,
                          mode: str) -> Union[torch.Tensor, List[DataSample]]:
        """The ``tensor`` / ``predict`` modes of ``forward``, shared by every SR model."""
        if isinstance(inputs, dict):
            inputs = inputs['img']
        if mode == 'tensor':
            return self.sample_any_size(inputs)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise ValueError(f"{type(self).__name__}.forward: mode must be 'tensor' or 'predict' "
                         f'at inference, got {mode!r}')

    def sample_any_size(self, lr: torch.Tensor, seed: Optional[int] = None,
                        tile: Optional[int] = None, tile_overlap: Optional[int] = None,
                        progress: Optional[Callable[[int, int], None]] = None) -> torch.Tensor:
        """``sample`` on the model's device, returned on ``lr``'s device.

        Tiled per image when the LR is bigger than ``tile`` (default ``test_cfg.tile``):
        tiles go to the model's device one at a time and are blended on the CPU, so a
        big image given on the CPU never sits whole on the accelerator.
        """
        tile = self.test_cfg.get('tile') if tile is None else tile
        overlap = self.test_cfg.get('tile_overlap', 8) if tile_overlap is None else tile_overlap
        base = self.test_cfg.get('seed', 0) if seed is None else seed
        device = next(self.parameters()).device
        if not tile or max(lr.shape[-2:]) <= tile:
            return self.sample(lr.to(device), seed=base).to(lr.device)
        outs = [tiled_super_resolve(lambda p, s: self.sample(p, seed=base + s), img[None].cpu(),
                                    self.scale, tile, overlap, device, progress)
                for img in lr]
        return torch.cat(outs).to(lr.device)

    def predict(self, inputs: torch.Tensor, data_samples: DataSample) -> List[DataSample]:
        sr = self.sample_any_size(inputs)
        sr = self.data_preprocessor.destruct(sr, data_samples)
        lr = self.data_preprocessor.destruct(inputs, data_samples, 'img')
        data_samples.set_tensor_data({'input': lr})
        predictions = DataSample(pred_img=sr.cpu()).split()
        samples = data_samples.split()
        for sample, pred in zip(samples, predictions):
            sample.output = pred
        return samples
