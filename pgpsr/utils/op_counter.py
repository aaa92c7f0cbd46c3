"""MAC counting, the one place: torch's FlopCounterMode with CPU attention counted.

Pruning reports, benchmarks and the real-size step analysis all count through
``count_macs`` (MACs = FLOPs / 2). The timestep a denoiser is called with does not
change its MACs (it only feeds the time embedding), so callers may pass any.
"""
from typing import Callable

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


@torch.no_grad()
def count_macs(fn: Callable[[], object]) -> int:
    """MACs of one call of ``fn`` (matmuls, convolutions, attention)."""
    with flop_counter() as counter:
        fn()
    return counter.get_total_flops() // 2


def count_params(module: torch.nn.Module) -> int:
    """Parameters of ``module`` (the one count every report uses)."""
    return sum(p.numel() for p in module.parameters())
