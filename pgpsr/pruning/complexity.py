"""Parameters and MACs of a model, as pruning reports them after every stage."""
from typing import Dict, Tuple

import torch

from pgpsr.utils.op_counter import count_macs, count_params  # noqa: F401 (re-exported)


@torch.no_grad()
def backbone_step_macs(model, lr_hw: Tuple[int, int], batch: int = 1) -> int:
    """MACs of one denoiser call (backbone + neck) for an LR input of ``lr_hw``.

    Counted by ``pgpsr.utils.op_counter.count_macs``. Runs on the model's device, in
    eval mode, on zeros.
    """
    p = next(model.parameters())
    h, w = lr_hw
    d = model.lr_size_divisor
    lr = torch.zeros(batch, 3, -(-h // d) * d, -(-w // d) * d, device=p.device, dtype=p.dtype)
    was = model.training
    model.eval()
    try:
        cond = model.encode_condition(lr)
        t = torch.full((batch,), 500, device=p.device, dtype=torch.long)
        return count_macs(lambda: model.denoise(cond, t, cond))
    finally:
        model.train(was)


def complexity(model, lr_hw: Tuple[int, int]) -> Dict[str, int]:
    """``{'params': total, 'backbone_params': ..., 'step_macs': ...}`` of a PGPDiffSR, or
    of a model that counts its own denoiser's MACs (``denoiser_macs``: AdcSR's student)."""
    own = getattr(model, 'denoiser_macs', None)
    return dict(params=count_params(model), backbone_params=count_params(model.backbone),
                step_macs=own(lr_hw) if own else backbone_step_macs(model, lr_hw))
