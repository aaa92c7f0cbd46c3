"""Per-GPU memory of fine-tuning a large denoiser, for choosing a parallel strategy.

The model states (weights, gradients, optimizer moments) follow ZeRO's accounting
(Rajbhandari et al., SC 2020): with mixed precision the trainable weights stay fp32
(4 bytes), gradients 4, AdamW's two moments 8 (2 with 8-bit states, as bitsandbytes keeps
them); DDP replicates all of it, ZeRO-2 shards gradients and moments over the GPUs,
FSDP (= ZeRO-3) shards the weights too. PGP-DiffSR's distillation adds a frozen teacher
(bf16: 2 bytes a parameter, sharded only under FSDP), and an EMA of the weights an fp32
copy (4 bytes: mmengine's EMAHook replicates it under DDP and ZeRO-2; pgpsr's
ShardedEMAHook shards it under FSDP). Activations are not included: they
depend on batch and resolution, and gradient checkpointing trades them for recomputation;
measure them on the GPU (the figures here are what no activation can make smaller).
"""
from typing import Dict, List

STRATEGIES = ('ddp', 'zero2', 'fsdp')
GIB = 2 ** 30


def model_state_bytes(params: int, gpus: int, strategy: str, optimizer_bits: int = 32,
                      teacher_params: int = 0, teacher_bytes: int = 2,
                      ema_params: int = 0) -> Dict[str, float]:
    """Bytes per GPU of weights, gradients, optimizer states, teacher and EMA copy.

    Args:
        params: Trainable parameters. gpus: Data-parallel GPUs.
        strategy: ``ddp``, ``zero2`` or ``fsdp``.
        optimizer_bits: 32 (AdamW) or 8 (8-bit AdamW states).
        teacher_params: Parameters of the frozen distillation teacher (0: none).
        teacher_bytes: Bytes per teacher parameter (2 for bf16).
        ema_params: Parameters averaged by an EMA hook (0: none; fp32).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f'strategy must be one of {STRATEGIES}, got {strategy!r}')
    if optimizer_bits not in (8, 32):
        raise ValueError(f'optimizer_bits must be 8 or 32, got {optimizer_bits}')
    moments = 2 * optimizer_bits // 8
    # weights, gradients, moments, teacher, EMA: by how many GPUs each is divided
    shard = dict(ddp=(1, 1, 1, 1, 1), zero2=(1, gpus, gpus, 1, 1), fsdp=(gpus,) * 5)[strategy]
    out = dict(weights=4 * params / shard[0], gradients=4 * params / shard[1],
               optimizer=moments * params / shard[2],
               teacher=teacher_bytes * teacher_params / shard[3],
               ema=4 * ema_params / shard[4])
    out['total'] = sum(out.values())
    return out


def memory_plan(params: int, gpus: int = 8, teacher_params: int = 0) -> List[Dict]:
    """Rows for every strategy x optimizer precision (GiB per GPU)."""
    rows = []
    for strategy in STRATEGIES:
        for bits in (32, 8):
            b = model_state_bytes(params, gpus, strategy, bits, teacher_params)
            rows.append(dict(strategy=strategy, optimizer_bits=bits,
                             **{k: v / GIB for k, v in b.items()}))
    return rows
