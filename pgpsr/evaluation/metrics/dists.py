"""DISTS (Ding et al. 2020): structure and texture similarity of VGG16 features, with
max-pooling replaced by L2 pooling so the features do not alias; lower is better.

Alpha/beta ship in the ``DISTS_pytorch`` wheel (20 KB, installed with pgpsr); the VGG16
backbone is read from a local file. Without it the metric is skipped and says why.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from pgpsr.registry import METRICS
from .vgg_metric import VGGPerceptualMetric

CHANNELS = (3, 64, 128, 256, 512, 512)
POOLS = {4: 64, 9: 128, 16: 256, 23: 512}  # VGG16 max-pools -> L2 pooling (channels)
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


class L2Pool(nn.Module):
    """sqrt(hanning-weighted mean of x^2), stride 2: an anti-aliased pooling."""

    def __init__(self, channels: int, size: int = 5) -> None:
        super().__init__()
        a = torch.from_numpy(np.hanning(size)[1:-1]).float()
        g = a[:, None] * a[None, :]
        self.register_buffer('filt', (g / g.sum()).expand(channels, 1, -1, -1).contiguous())
        self.pad = (size - 2) // 2

    def forward(self, x):
        out = F.conv2d(x ** 2, self.filt, stride=2, padding=self.pad, groups=x.shape[1])
        return (out + 1e-12).sqrt()


class DISTSNet(nn.Module):
    """Distance between two RGB batches in [0, 1]."""

    def __init__(self, features: nn.Sequential, alpha: torch.Tensor, beta: torch.Tensor):
        super().__init__()
        layers = [L2Pool(POOLS[i]) if i in POOLS else features[i]
                  for i in range(30)]
        bounds = (0, 4, 9, 16, 23, 30)
        self.stages = nn.ModuleList(nn.Sequential(*layers[a:b])
                                    for a, b in zip(bounds[:-1], bounds[1:]))
        self.register_buffer('alpha', alpha.reshape(1, -1, 1, 1).float())
        self.register_buffer('beta', beta.reshape(1, -1, 1, 1).float())
        self.register_buffer('mean', torch.tensor(MEAN).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor(STD).view(1, 3, 1, 1))

    def feats(self, x):
        out, h = [x], (x - self.mean) / self.std
        for stage in self.stages:
            h = stage(h)
            out.append(h)
        return out

    def forward(self, x, y, c1: float = 1e-6, c2: float = 1e-6):
        total = self.alpha.sum() + self.beta.sum()
        alphas = torch.split(self.alpha / total, CHANNELS, dim=1)
        betas = torch.split(self.beta / total, CHANNELS, dim=1)
        sim = 0
        for fx, fy, a, b in zip(self.feats(x), self.feats(y), alphas, betas):
            mx, my = fx.mean((2, 3), keepdim=True), fy.mean((2, 3), keepdim=True)
            vx = ((fx - mx) ** 2).mean((2, 3), keepdim=True)
            vy = ((fy - my) ** 2).mean((2, 3), keepdim=True)
            cov = (fx * fy).mean((2, 3), keepdim=True) - mx * my
            structure = (2 * mx * my + c1) / (mx ** 2 + my ** 2 + c1)
            texture = (2 * cov + c2) / (vx + vy + c2)
            sim = sim + (a * structure).sum(1) + (b * texture).sum(1)
        return 1 - sim.flatten()


@METRICS.register_module()
class DISTS(VGGPerceptualMetric):
    """DISTS of ``output.pred_img`` vs ``gt_img``; alpha/beta default to DISTS_pytorch's."""
    name = 'DISTS'
    head_package = ('DISTS_pytorch', 'weights.pt')

    def build_net(self, features, heads):
        return DISTSNet(features, heads['alpha'], heads['beta'])
