"""The LPIPS network (Zhang et al. 2018, VGG variant, v0.1 linear heads): one module for
the metric (pgpsr.evaluation.metrics.LPIPS) and the training loss (LPIPSLoss), so both
compute the same distance."""
import torch
import torch.nn.functional as F
from torch import nn

TAPS = (3, 8, 15, 22, 29)  # relu1_2, relu2_2, relu3_3, relu4_3, relu5_3
SHIFT = (-0.030, -0.088, -0.188)
SCALE = (0.458, 0.448, 0.450)


class LPIPSNet(nn.Module):
    """Distance between two RGB batches in [-1, 1]: unit-normalised VGG features,
    squared difference weighted per channel by the linear heads, averaged over space."""

    def __init__(self, features: nn.Sequential, heads: dict) -> None:
        super().__init__()
        self.features = features
        self.heads = nn.ParameterList(
            [nn.Parameter(heads[f'lin{i}.model.1.weight'], requires_grad=False)
             for i in range(len(TAPS))])
        self.register_buffer('shift', torch.tensor(SHIFT).view(1, 3, 1, 1))
        self.register_buffer('scale', torch.tensor(SCALE).view(1, 3, 1, 1))

    def taps(self, x):
        h, out = (x - self.shift) / self.scale, []
        for i, layer in enumerate(self.features[:TAPS[-1] + 1]):
            h = layer(h)
            if i in TAPS:
                out.append(h / (h.pow(2).sum(1, keepdim=True).sqrt() + 1e-10))
        return out

    def forward(self, x, y):
        d = 0
        for fx, fy, w in zip(self.taps(x), self.taps(y), self.heads):
            d = d + F.conv2d((fx - fy) ** 2, w).mean((2, 3))
        return d.flatten()
