"""Parameters and MACs of a model, as pruning reports them after every stage."""
from typing import Dict, Tuple

import torch
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count


def _cpu_sdpa_flops(query_shape, key_shape, value_shape, *args, **kwargs) -> int:
    return sdpa_flop_count(query_shape, key_shape, value_shape)


# torch's counter knows the CUDA attention kernels but not the CPU one SDPA picks here;
# without this, attention would count as free on a CPU
_CUSTOM = {torch.ops.aten._scaled_dot_product_flash_attention_for_cpu: _cpu_sdpa_flops}


def flop_counter() -> FlopCounterMode:
    """torch's FlopCounterMode, counting attention on every device."""
    return FlopCounterMode(display=False, custom_mapping=_CUSTOM)


def count_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@torch.no_grad()
def backbone_step_macs(model, lr_hw: Tuple[int, int], batch: int = 1) -> int:
    """MACs of one denoiser call (backbone + neck) for an LR input of ``lr_hw``.

    Counted by torch's FlopCounterMode (matmuls, convolutions, attention); MACs are half
    the FLOPs it reports. Runs on the model's device, in eval mode, on zeros.
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
        with flop_counter() as counter:
            model.denoise(cond, t, cond)
    finally:
        model.train(was)
    return counter.get_total_flops() // 2


def complexity(model, lr_hw: Tuple[int, int]) -> Dict[str, int]:
    """``{'params': total, 'backbone_params': ..., 'step_macs': ...}`` of a PGPDiffSR."""
    return dict(params=count_params(model), backbone_params=count_params(model.backbone),
                step_macs=backbone_step_macs(model, lr_hw))
