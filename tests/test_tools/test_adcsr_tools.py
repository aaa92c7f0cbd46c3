"""AdcSR through the user's tools, for both teacher families (a saved teacher on pgpsr's
UNet; OSEDiff-style: a tiny folder in SD2.1's diffusers layout): stage 1 with
tools/train.py (both), stage 2 with 2 gloo processes (tools/dist_train.sh; the saved
teacher), kill -9 + --resume restoring losses, weights and both optimizers exactly, and
tools/infer.py on an odd-sized photo with the stage-2 checkpoint (the OSEDiff family, whose
real config the reference recipe test also runs). The stage-2 steps are one code path for
both families; each runs once, on one family, to keep the suite short."""
import math

import cv2
import pytest
import torch
from mmengine.registry import init_default_scope
from skimage import data

from pgpsr.apis import load_config
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS
from .helpers import (ROOT, assert_same_optimizer_state, losses_by_iter, run_and_rerun_killed,
                      run_dist_train, run_tool, write_config)

RECIPE = """
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4, val_interval=1000)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2, max_keep_ckpts=3))
log_processor = dict(window_size=1)
train_dataloader = dict(batch_size=2)
"""
FAMILIES = dict(  # teacher family -> (config prefix, the teacher's part of `model`)
    unet=('configs/adcsr/adcsr_tiny_stage', "teacher_ckpt='{root}/teacher.pth'"),
    osediff=('configs/adcsr/adcsr_osediff_tiny_stage',
             "teacher=dict(codec=dict(pretrained='{root}/osediff'), "
             "backbone=dict(pretrained='{root}/osediff'))"))


def _config(root, family, stage, name, decoder=None):
    prefix, teacher = FAMILIES[family]
    body = f'model = dict({teacher.format(root=root)}, decoder_ckpt={decoder!r})\n' + RECIPE
    return write_config(root / name, body, base=f'{prefix}{stage}_x4.py')


@pytest.fixture(scope='module', params=list(FAMILIES))
def stage1(request, tmp_path_factory):
    """The teacher (a saved checkpoint, or a folder) and a 4-iteration stage-1 run."""
    family = request.param
    root = tmp_path_factory.mktemp(f'adcsr_{family}')
    if family == 'unet':
        init_default_scope('pgpsr')
        torch.manual_seed(1)
        teacher = MODELS.build(
            load_config(f'{ROOT}/configs/adcsr/adcsr_teacher_tiny_x4.py').model)
        torch.save(dict(state_dict=teacher.state_dict()), root / 'teacher.pth')
    else:
        save_tiny_pipeline('sd21', str(root / 'osediff'))
    cfg = _config(root, family, 1, 's1.py')
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(root / 's1')], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    return root, family


def _stage2_cfg(stage1, name='s2.py'):
    root, family = stage1
    return _config(root, family, 2, name, decoder=str(root / 's1' / 'iter_4.pth'))


def _load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def _finite_losses(work_dir):
    losses = losses_by_iter(work_dir)
    assert sorted(losses) == [1, 2, 3, 4] and all(math.isfinite(v) for v in losses.values())
    return losses


def test_stage1_trains_and_saves_both_optimizers(stage1):
    root, family = stage1
    _finite_losses(root / 's1')
    ckpt = _load(root / 's1' / 'iter_4.pth')
    assert set(ckpt['optimizer']) == {'generator', 'discriminator'}
    assert ckpt['optimizer']['generator']['state'] and ckpt['optimizer']['discriminator']['state']
    student = [k for k in ckpt['state_dict'] if k.startswith('generator.unet.')]
    assert student and not any('time_emb' in k or 'attn2' in k for k in student)


@pytest.mark.parametrize('stage1', ['unet'], indirect=True)
def test_stage2_trains_on_two_gloo_processes(stage1):
    root, _ = stage1
    work = root / 's2_dist'
    res = run_dist_train(_stage2_cfg(stage1, 'dist.py'), work)
    assert res.returncode == 0, res.stderr[-3000:]
    _finite_losses(work)
    s1, s2 = _load(root / 's1' / 'iter_4.pth')['state_dict'], _load(work / 'iter_4.pth')
    # the decoder stayed the stage-1 one; the teacher stayed the saved one
    kept = [k for k in s1 if k.startswith(('teacher.', 'generator.decoder.'))]
    assert kept and all(torch.equal(s2['state_dict'][k], s1[k]) for k in kept)
    assert any(k.startswith('discriminator.') for k in s2['state_dict'])


@pytest.mark.parametrize('stage1', ['osediff'], indirect=True)
def test_stage2_resume_after_kill_restores_both_optimizers(stage1):
    root, _ = stage1
    cfg = _stage2_cfg(stage1)
    full, cut = root / 's2_full', root / 's2_cut'
    run_and_rerun_killed(cfg, full, cut, 'iter_2.pth')
    a, b = _finite_losses(full), losses_by_iter(cut)
    assert all(a[i] == b[i] for i in (3, 4)), (a, b)
    ca, cb = _load(full / 'iter_4.pth'), _load(cut / 'iter_4.pth')
    for part in ('generator', 'discriminator'):
        assert_same_optimizer_state(ca['optimizer'][part], cb['optimizer'][part])
    assert all(torch.equal(v, cb['state_dict'][k]) for k, v in ca['state_dict'].items())

    # the stage-2 checkpoint super-resolves an odd-sized photo with its original config
    src = root / 'in'
    src.mkdir()
    cv2.imwrite(str(src / 'odd.png'), data.coffee()[:27, :41, ::-1])
    out = root / 'out'
    res = run_tool(['tools/infer.py', cfg, str(full / 'iter_4.pth'), '--input', str(src),
                    '--output', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert cv2.imread(str(out / 'odd_x4.png')).shape == (108, 164, 3)


@pytest.mark.parametrize('stage1', ['osediff'], indirect=True)
def test_stage2_runs_the_reference_recipe_of_the_real_config(stage1):
    """adcsr_osediff_stage2_x4.py's optimisation (fp16 AMP wrappers, run as bf16 CPU
    autocast here; Adam defaults, no clipping, the generator's lr halved half-way, GAN
    weight 1.0) on the tiny teacher, through tools/train.py."""
    from mmengine.config import Config
    root, _ = stage1
    real = Config.fromfile(f'{ROOT}/configs/adcsr/adcsr_osediff_stage2_x4.py')
    sched = real.param_scheduler.to_dict()
    sched['generator'][0]['milestones'] = [2]  # half-way through the 4 iterations
    sched['_delete_'] = True
    body = (f'optim_wrapper = dict(_delete_=True, **{real.optim_wrapper.to_dict()!r})\n'
            f'param_scheduler = {sched!r}\n'
            "model.update(unet_norm_groups='per_width', "
            f'gan_loss=dict(loss_weight={real.model.gan_loss.loss_weight}))\n')
    cfg = _stage2_cfg(stage1, 'ref.py')
    with open(cfg, 'a') as f:
        f.write(body)
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(root / 's2_ref')], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'generator: no CUDA here, AmpOptimWrapper runs as bf16 CPU autocast' in res.stdout
    _finite_losses(root / 's2_ref')
    ckpt = _load(root / 's2_ref' / 'iter_4.pth')
    groups = ckpt['optimizer']['generator']['param_groups']
    assert groups[0]['lr'] == 0.5e-4 and groups[0]['betas'] == (0.9, 0.999)
    assert ckpt['optimizer']['discriminator']['param_groups'][0]['lr'] == 1e-6
