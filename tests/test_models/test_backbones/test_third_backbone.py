"""The README's 'add a backbone' recipe: one registered class, nothing else changes."""
from typing import List, Tuple

import torch
from torch import nn

from pgpsr.models.backbones import PrunableBackbone
from pgpsr.registry import MODELS


@MODELS.register_module(force=True)
class ConvStackDenoiser(PrunableBackbone):
    """Residual conv blocks: the smallest backbone that honours the contract."""

    size_divisor = 1  # no downsampling: any input size

    def __init__(self, in_channels: int = 12, width: int = 16, depth: int = 3) -> None:
        super().__init__()
        self.in_channels = self.cond_channels = self.out_channels = in_channels
        self.inp = nn.Conv2d(2 * in_channels + 1, width, 3, padding=1)
        self.body = nn.ModuleList(
            nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.SiLU()) for _ in range(depth))
        self.out = nn.Conv2d(width, in_channels, 3, padding=1)

    def block_table(self) -> List[Tuple[str, str, nn.ModuleList, int]]:
        parts = ['encoder', 'bottleneck', 'decoder']
        return [(f'{parts[min(i, 2)]}.{i}', parts[min(i, 2)], self.body, i)
                for i in range(len(self.body))]

    def forward(self, x_t, t, cond):
        tt = (t.float() / 1000).view(-1, 1, 1, 1).expand(-1, 1, *x_t.shape[-2:])
        x = self.inp(torch.cat([x_t, cond, tt], dim=1))
        for blk in self.body:
            x = x + blk(x)
        return self.out(x)


def test_a_new_backbone_plugs_into_pgp_diffsr():
    model = MODELS.build(dict(type='PGPDiffSR', codec=dict(type='PixelUnshuffleCodec'),
                              backbone=dict(type='ConvStackDenoiser'),
                              test_cfg=dict(num_steps=2)))
    gt = torch.rand(2, 3, 16, 16) * 2 - 1
    lr = torch.nn.functional.avg_pool2d(gt, 4)
    loss = model.forward_train(lr, gt)['loss_diffusion']
    loss.backward()
    assert torch.isfinite(loss)
    before = sum(p.numel() for p in model.parameters())
    model.backbone.drop_block('bottleneck.1')
    assert sum(p.numel() for p in model.parameters()) == before - (16 * 16 * 9 + 16)
    assert model.eval().sample(torch.rand(2, 3, 3, 5) * 2 - 1).shape == (2, 3, 12, 20)
    rebuilt = MODELS.build(dict(type='ConvStackDenoiser'))
    rebuilt.load_state_dict(model.backbone.state_dict())
    assert rebuilt.dropped == ['bottleneck.1']
