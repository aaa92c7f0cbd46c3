"""A config with `strategy` trains on mmengine's FlexibleRunner, pruning included (single
device here; FSDP with pruning: tests/test_engine/test_sharded_pruning.py)."""
import torch
from mmengine.runner import FlexibleRunner

from pgpsr.apis import load_config
from pgpsr.apis.training import runner_class
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
    assert runner_class(load_config(cfg)) is FlexibleRunner
    ckpt = torch.load(tmp_path / 'w' / 'iter_3.pth', map_location='cpu', weights_only=False)
    assert any(k.endswith('_extra_state') for k in ckpt['state_dict'])
    assert ckpt['progressive_prune']['done'] == [0]
