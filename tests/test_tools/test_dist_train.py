"""tools/dist_train.sh with 2 processes on the CPU (gloo)."""

import torch

from .helpers import losses_by_iter, run_dist_train, write_config


def test_dist_train_two_cpu_processes_writes_a_checkpoint(tmp_path):
    cfg = write_config(tmp_path / 'cfg.py', """
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4, val_interval=4)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=4))
""")
    work = tmp_path / 'w'
    res = run_dist_train(cfg, work)
    assert res.returncode == 0, res.stderr[-4000:]
    ckpt = torch.load(work / 'iter_4.pth', map_location='cpu', weights_only=False)
    assert ckpt['meta']['iter'] == 4
    assert 'Distributed training: True' in res.stdout + res.stderr
    assert 'GPU number: 2' in res.stdout + res.stderr  # mmengine's name for world size
    assert len(losses_by_iter(work)) == 4
