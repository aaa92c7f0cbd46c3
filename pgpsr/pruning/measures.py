"""The two redundancy measures of PGP-DiffSR on a pair of features.

Both return one value per sample; callers average over a calibration set. Features are
BxCxHxW (UNet) or BxNxC tokens (DiT): the channel axis is 1 or -1 accordingly.
Ref: PGP-DiffSR (arXiv 2512.02681), Sec. 3 (Phi and Psi).

A block's input and output need not have the same shape (a UNet unit that changes the
width or resolution). Then, as a documented substitute, both are reduced to their
channel-mean map on the coarser of the two grids, and Phi compares those maps while Psi
compares their softmax over positions instead of over channels.
"""
from typing import Tuple

import torch
import torch.nn.functional as F


def channel_dim(x: torch.Tensor) -> int:
    return 1 if x.dim() == 4 else -1


def _mean_map(x: torch.Tensor) -> torch.Tensor:
    """BxCxHxW -> Bx1xHxW; BxNxC -> Bx1xN (channel mean)."""
    return x.float().mean(1, keepdim=True) if x.dim() == 4 else \
        x.float().mean(-1).unsqueeze(1)


def comparable(f1: torch.Tensor, f2: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, bool]:
    """``(a, b, substituted)``: the features as they are when their shapes match, else
    their channel-mean maps pooled to a common grid (``substituted=True``)."""
    if f1.shape == f2.shape:
        return f1, f2, False
    a, b = _mean_map(f1), _mean_map(f2)
    if a.dim() == 4:
        size = (min(a.shape[2], b.shape[2]), min(a.shape[3], b.shape[3]))
        a, b = F.adaptive_avg_pool2d(a, size), F.adaptive_avg_pool2d(b, size)
    else:
        n = min(a.shape[-1], b.shape[-1])
        a, b = F.adaptive_avg_pool1d(a, n), F.adaptive_avg_pool1d(b, n)
    return a, b, True


def cosine_dissimilarity(f1: torch.Tensor, f2: torch.Tensor) -> torch.Tensor:
    """Phi = 1 - <F1, F2> / (|F1| |F2|) over each flattened sample (0: same direction)."""
    a, b, _ = comparable(f1, f2)
    return 1.0 - F.cosine_similarity(a.float().flatten(1), b.float().flatten(1), dim=1,
                                     eps=1e-8)


def kl_channel_softmax(f1: torch.Tensor, f2: torch.Tensor) -> torch.Tensor:
    """Psi = KL(softmax_c(F1) || softmax_c(F2)), averaged over positions (0: identical);
    over positions of the channel-mean maps when the shapes differ."""
    a, b, substituted = comparable(f1, f2)
    if substituted:
        logp = F.log_softmax(a.flatten(1), dim=1)
        logq = F.log_softmax(b.flatten(1), dim=1)
        return (logp.exp() * (logp - logq)).sum(dim=1)
    d = channel_dim(a)
    logp = F.log_softmax(a.float(), dim=d)
    logq = F.log_softmax(b.float(), dim=d)
    kl = (logp.exp() * (logp - logq)).sum(dim=d)
    return kl.flatten(1).mean(1)


MEASURES = dict(cosine=cosine_dissimilarity, kl=kl_channel_softmax)
