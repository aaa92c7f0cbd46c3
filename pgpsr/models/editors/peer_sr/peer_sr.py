"""PeerSR: a feed-forward SR network (Real-ESRGAN's RRDBNet) as a peer to compare with.

It speaks the same interface as PGPDiffSR at test time (``sample``, tiling, ``predict``),
so tools/test.py, infer.py and benchmark.py take it unchanged. Weights come from a local
checkpoint made by tools/model_converters/ncnn_to_rrdbnet.py.
"""
from typing import Dict, List, Optional, Union

import torch
from mmagic.structures import DataSample
from mmengine.model import BaseModel

from pgpsr.models.data_preprocessors.default import build_data_preprocessor
from pgpsr.registry import MODELS
from ...base_models.sr_predict import SRPredictMixin

@MODELS.register_module()
class PeerSR(SRPredictMixin, BaseModel):
    """Wrap a generator that maps RGB in [0, 1] to ``scale`` x larger RGB in [0, 1].

    Args:
        generator: e.g. ``dict(type='RRDBNet', in_channels=3, out_channels=3,
            mid_channels=64, num_blocks=23, growth_channels=32, upscale_factor=4)``.
        scale: The generator's factor. test_cfg: ``tile``, ``tile_overlap`` (LR pixels), ``color_fix``.
    """

    def __init__(self, generator: Dict, scale: int = 4, test_cfg: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None, init_cfg: Optional[Dict] = None):
        super().__init__(data_preprocessor=build_data_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        self.generator = MODELS.build(generator)
        self.scale = scale
        self.test_cfg = self.merge_test_cfg(test_cfg)

    @torch.no_grad()
    def sample(self, lr: torch.Tensor, seed: Optional[int] = None, **_) -> torch.Tensor:
        """LR in [-1, 1] -> SR in [-1, 1] (deterministic: ``seed`` is accepted and unused)."""
        out = self.generator(((lr + 1) / 2).clamp(0, 1))
        return (out.clamp(0, 1) * 2 - 1)

    def forward(self, inputs: Union[torch.Tensor, Dict], data_samples=None,
                mode: str = 'tensor') -> Union[torch.Tensor, List[DataSample]]:
        return self.forward_inference(inputs, data_samples, mode)  # inference only
