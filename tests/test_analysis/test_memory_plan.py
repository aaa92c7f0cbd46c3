"""The per-GPU model-state arithmetic behind the README's SDXL memory plan."""
import pytest

from pgpsr.analysis.memory_plan import GIB, memory_plan, model_state_bytes


def test_zero_accounting():
    p = 1_000_000
    ddp = model_state_bytes(p, 8, 'ddp')
    assert ddp['total'] == 16 * p  # 4 weights + 4 grads + 8 AdamW moments
    assert model_state_bytes(p, 8, 'zero2')['total'] == 4 * p + 12 * p / 8
    assert model_state_bytes(p, 8, 'fsdp')['total'] == 16 * p / 8
    assert model_state_bytes(p, 8, 'ddp', optimizer_bits=8)['total'] == 10 * p
    t = model_state_bytes(p, 4, 'fsdp', teacher_params=p)
    assert t['teacher'] == 2 * p / 4
    # an EMA copy is fp32: whole on every GPU under DDP / ZeRO-2, sharded under FSDP
    assert model_state_bytes(p, 8, 'ddp', ema_params=p)['ema'] == 4 * p
    assert model_state_bytes(p, 8, 'zero2', ema_params=p)['ema'] == 4 * p
    e = model_state_bytes(p, 8, 'fsdp', ema_params=p)
    assert e['ema'] == 4 * p / 8 and e['total'] == 20 * p / 8
    with pytest.raises(ValueError, match='strategy'):
        model_state_bytes(p, 8, 'zero1')


def test_sdxl_plan_rows():
    rows = memory_plan(2_567_463_684, gpus=8, teacher_params=2_567_463_684)
    ddp = rows[0]
    assert (ddp['strategy'], ddp['optimizer_bits']) == ('ddp', 32)
    assert 42.5 < ddp["total"] < 43.5 and ddp['teacher'] == pytest.approx(2 * 2_567_463_684 / GIB)
    assert min(r['total'] for r in rows) == rows[-1]['total']  # fsdp, 8-bit
