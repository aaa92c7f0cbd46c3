"""A config with `strategy` trains on mmengine's FlexibleRunner (single device here; FSDP
and DeepSpeed need GPUs), pruning included; sharded strategies are refused by the hook."""
import pytest
import torch
from mmengine._strategy import DDPStrategy, FSDPStrategy, SingleDeviceStrategy

from pgpsr.engine.hooks.progressive_prune_hook import check_strategy
from .helpers import run_tool, write_config


def test_strategy_switches_to_flexible_runner_and_pruning_runs(tmp_path):
    cfg = write_config(tmp_path / 'cfg.py', """
strategy = dict(type='SingleDeviceStrategy')
train_cfg = dict(max_iters=3, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=3))
custom_hooks = [dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=1,
                     calib_steps=2, stages=[dict(at=1, parts=['encoder'], num_blocks=1)])]
""", base='configs/pgp_diffsr/pgp_dit_tiny_prune_x4.py')
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(tmp_path / 'w')])
    assert res.returncode == 0, res.stderr[-3000:]
    assert '"strategy" registry' in res.stdout + res.stderr  # only FlexibleRunner builds one
    ckpt = torch.load(tmp_path / 'w' / 'iter_3.pth', map_location='cpu', weights_only=False)
    assert any(k.endswith('_extra_state') for k in ckpt['state_dict'])
    assert ckpt['progressive_prune']['done'] == [0]


# mmengine's strategies re-request the current MMLogger with arguments
@pytest.mark.filterwarnings('ignore:.*the method `get_instance` should not accept:UserWarning')
def test_sharded_strategies_are_refused_with_the_way_out():
    check_strategy(None)
    check_strategy(SingleDeviceStrategy())
    check_strategy(DDPStrategy())
    with pytest.raises(RuntimeError, match='FSDPStrategy: it removes blocks while training'):
        check_strategy(FSDPStrategy())
