"""AdcSR through the user's tools: stage 1 with tools/train.py, stage 2 with 2 gloo
processes (tools/dist_train.sh), kill -9 + --resume restoring both optimizers exactly,
and tools/infer.py on an odd-sized photo with the stage-2 checkpoint."""
import math

import cv2
import pytest
import torch
from mmengine.registry import init_default_scope
from skimage import data

from pgpsr.apis import load_config
from pgpsr.registry import MODELS
from .helpers import (ROOT, assert_same_optimizer_state, losses_by_iter, run_and_rerun_killed,
                      run_dist_train, run_tool, write_config)

BODY = """
model = dict(teacher_ckpt='{teacher}', decoder_ckpt={decoder})
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4, val_interval=1000)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2, max_keep_ckpts=3))
log_processor = dict(window_size=1)
train_dataloader = dict(batch_size=2)
"""


@pytest.fixture(scope='module')
def stage1(tmp_path_factory):
    """A saved tiny teacher and a 4-iteration stage-1 run on it."""
    root = tmp_path_factory.mktemp('adcsr')
    init_default_scope('pgpsr')
    torch.manual_seed(1)
    teacher = MODELS.build(load_config(f'{ROOT}/configs/adcsr/adcsr_teacher_tiny_x4.py').model)
    torch.save(dict(state_dict=teacher.state_dict()), root / 'teacher.pth')
    cfg = write_config(root / 's1.py', BODY.format(teacher=root / 'teacher.pth', decoder=None),
                       base='configs/adcsr/adcsr_tiny_stage1_x4.py')
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(root / 's1')], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    return root


def _stage2_cfg(root, name='s2.py'):
    return write_config(root / name, BODY.format(teacher=root / 'teacher.pth',
                                                 decoder=repr(str(root / 's1' / 'iter_4.pth'))),
                        base='configs/adcsr/adcsr_tiny_stage2_x4.py')


def _finite_losses(work_dir):
    losses = losses_by_iter(work_dir)
    assert sorted(losses) == [1, 2, 3, 4] and all(math.isfinite(v) for v in losses.values())
    return losses


def test_stage1_trains_and_saves_both_optimizers(stage1):
    _finite_losses(stage1 / 's1')
    ckpt = torch.load(stage1 / 's1' / 'iter_4.pth', map_location='cpu', weights_only=False)
    assert set(ckpt['optimizer']) == {'generator', 'discriminator'}
    assert ckpt['optimizer']['generator']['state'] and ckpt['optimizer']['discriminator']['state']


def test_stage2_trains_on_two_gloo_processes(stage1):
    work = stage1 / 's2_dist'
    res = run_dist_train(_stage2_cfg(stage1, 'dist.py'), work)
    assert res.returncode == 0, res.stderr[-3000:]
    _finite_losses(work)
    ckpt = torch.load(work / 'iter_4.pth', map_location='cpu', weights_only=False)
    # the decoder stayed the stage-1 one; the teacher stayed the saved one
    s1 = torch.load(stage1 / 's1' / 'iter_4.pth', map_location='cpu', weights_only=False)
    key = 'generator.decoder.conv_out.weight'
    assert torch.equal(ckpt['state_dict'][key], s1['state_dict'][key])
    key = 'teacher.backbone.conv_in.weight'
    assert torch.equal(ckpt['state_dict'][key], s1['state_dict'][key])


def test_stage2_resume_after_kill_restores_both_optimizers(stage1):
    cfg = _stage2_cfg(stage1)
    full, cut = stage1 / 's2_full', stage1 / 's2_cut'
    run_and_rerun_killed(cfg, full, cut, 'iter_2.pth')
    a, b = _finite_losses(full), losses_by_iter(cut)
    assert all(a[i] == b[i] for i in (3, 4)), (a, b)
    ca = torch.load(full / 'iter_4.pth', map_location='cpu', weights_only=False)
    cb = torch.load(cut / 'iter_4.pth', map_location='cpu', weights_only=False)
    for part in ('generator', 'discriminator'):
        assert_same_optimizer_state(ca['optimizer'][part], cb['optimizer'][part])
    assert all(torch.equal(v, cb['state_dict'][k]) for k, v in ca['state_dict'].items())

    # the stage-2 checkpoint super-resolves an odd-sized photo with its original config
    src = stage1 / 'in'
    src.mkdir()
    cv2.imwrite(str(src / 'odd.png'), data.coffee()[:27, :41, ::-1])
    out = stage1 / 'out'
    res = run_tool(['tools/infer.py', cfg, str(full / 'iter_4.pth'), '--input', str(src),
                    '--output', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert cv2.imread(str(out / 'odd_x4.png')).shape == (108, 164, 3)
