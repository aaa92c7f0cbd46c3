"""A Runner trains from the embedded photos with the Real-ESRGAN degradation configs."""
import glob
import math
import os.path as osp

import pytest

from .helpers import losses_by_iter, run_tool


@pytest.mark.parametrize('config', ['pgp_dit_tiny_realesrgan_x4',
                                    'pgp_dit_tiny_realesrgan-batched_x4'])
def test_train_with_degradation_config(tmp_path, config):
    work = tmp_path / 'work'
    res = run_tool(['tools/train.py', f'configs/pgp_diffsr/{config}.py', '--work-dir', str(work),
                    '--cfg-options', 'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
                    'default_hooks.checkpoint.interval=4', 'default_hooks.logger.interval=1'],
                   timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    losses = losses_by_iter(work)
    assert sorted(losses) == [1, 2, 3, 4] and all(math.isfinite(v) for v in losses.values())
    assert osp.exists(work / 'iter_4.pth')
    assert glob.glob(str(work / '*' / 'vis_data' / 'scalars.json'))
