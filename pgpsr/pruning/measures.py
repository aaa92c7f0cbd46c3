"""The two redundancy measures of PGP-DiffSR on a pair of features.

Both return one value per sample; callers average over a calibration set. Features are
BxCxHxW (UNet) or BxNxC tokens (DiT): the channel axis is 1 or -1 accordingly.
Ref: PGP-DiffSR (arXiv 2512.02681), Sec. 3 (Phi and Psi).
"""
import torch
import torch.nn.functional as F


def channel_dim(x: torch.Tensor) -> int:
    return 1 if x.dim() == 4 else -1


def cosine_dissimilarity(f1: torch.Tensor, f2: torch.Tensor) -> torch.Tensor:
    """Phi = 1 - <F1, F2> / (|F1| |F2|) over each flattened sample (0: same direction)."""
    a, b = f1.float().flatten(1), f2.float().flatten(1)
    return 1.0 - F.cosine_similarity(a, b, dim=1, eps=1e-8)


def kl_channel_softmax(f1: torch.Tensor, f2: torch.Tensor) -> torch.Tensor:
    """Psi = KL(softmax_c(F1) || softmax_c(F2)), averaged over positions (0: identical)."""
    d = channel_dim(f1)
    logp = F.log_softmax(f1.float(), dim=d)
    logq = F.log_softmax(f2.float(), dim=d)
    kl = (logp.exp() * (logp - logq)).sum(dim=d)
    return kl.flatten(1).mean(1)


MEASURES = dict(cosine=cosine_dissimilarity, kl=kl_channel_softmax)
