"""PGP∘AdcSR through the user's tools on a tiny OSEDiff release: convert it
(osediff_to_pgpsr.py), the block stage (PGP's exportable block removal on the teacher,
distilled from it), AdcSR's stage 1 and the composed stage 2 (student sliced from the
block stage's checkpoint) with tools/train.py, then tools/test.py --gt --lq and
tools/infer.py with the composed checkpoint; and kill -9 + --resume in the middle of the
block stage gives the uninterrupted run's weights. The other order (blocks removed from
the sliced student during stage 2) resumes exactly too."""
import cv2
import numpy as np
import pytest
import torch
from skimage import data

from mmengine.registry import init_default_scope

from pgpsr.apis import load_config
from pgpsr.datasets.transforms.matlab_resize import imresize
from pgpsr.models.backbones.base import decode_extra_state
from pgpsr.registry import MODELS
from tests.test_converters.test_osediff_conversion import write_release
from .helpers import (ROOT, assert_same_optimizer_state, losses_by_iter, run_tool,
                      train_killed_after, write_config)

RECIPE = """
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4, val_interval=1000)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2, max_keep_ckpts=3))
log_processor = dict(window_size=1)
train_dataloader = dict(batch_size=2)
"""


def _teacher(root):
    return (f"dict(codec=dict(pretrained='{root}/osediff'), "
            f"backbone=dict(pretrained='{root}/osediff'))")


def _train(cfg, work):
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(work)], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    return str(work / 'iter_4.pth')


def _load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


@pytest.fixture(scope='module')
def composed(tmp_path_factory):
    root = tmp_path_factory.mktemp('pgp_adcsr')
    sd21, *_ = write_release(root)
    res = run_tool(['tools/model_converters/osediff_to_pgpsr.py', '--sd21', sd21, '--release',
                    str(root / 'osediff.pkl'), '--out', str(root / 'osediff')], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    folder = f"'{root}/osediff'"
    blocks_cfg = write_config(
        root / 'blocks.py', f'model = dict(codec=dict(pretrained={folder}), '
        f'backbone=dict(pretrained={folder}))\n' + RECIPE,
        base='configs/pgp_adcsr/pgp_adcsr_osediff_tiny_blocks_x4.py')
    blocks = _train(blocks_cfg, root / 'blocks')
    s1 = _train(write_config(root / 's1.py', f'model = dict(teacher={_teacher(root)})\n' +
                             RECIPE, base='configs/adcsr/adcsr_osediff_tiny_stage1_x4.py'),
                root / 's1')
    s2_cfg = write_config(
        root / 's2.py', f'model = dict(teacher={_teacher(root)}, block_source={blocks!r}, '
        f'decoder_ckpt={s1!r})\n' + RECIPE,
        base='configs/pgp_adcsr/pgp_adcsr_osediff_tiny_stage2_x4.py')
    s2 = _train(s2_cfg, root / 's2')
    return dict(root=root, blocks_cfg=blocks_cfg, blocks=blocks, s2_cfg=s2_cfg, s2=s2)


def test_the_student_is_the_block_stages_unet_narrowed(composed):
    state = _load(composed['blocks'])['state_dict']
    removed = decode_extra_state(state['backbone._extra_state'])['dropped']
    assert len(removed) == 4 and {'bottleneck.0', 'bottleneck.1'} < set(removed)
    assert sum(n.startswith('encoder.') for n in removed) == 1  # with its decoder mirror
    student = _load(composed['s2'])['state_dict']
    unet = {k[len('generator.unet.unet.'):]: v for k, v in student.items()
            if k.startswith('generator.unet.unet.')}
    teacher = {k[len('teacher.backbone.unet.'):]: v for k, v in student.items()
               if k.startswith('teacher.backbone.unet.')}
    # fewer ResNets than the teacher, 62.5% of its widths (20 = 0.625 x 32)
    count = lambda s: sum(k.endswith('conv1.weight') and 'resnets' in k for k in s)  # noqa
    assert count(unet) < count(teacher)
    assert unet['down_blocks.0.resnets.0.conv1.weight'].shape[0] == 20
    losses = losses_by_iter(composed['root'] / 's2')
    assert sorted(losses) == [1, 2, 3, 4] and all(np.isfinite(list(losses.values())))


def test_test_py_and_infer_py_run_the_composed_checkpoint(composed):
    root = composed['root']
    gt, lq = root / 'HR', root / 'LR'
    gt.mkdir()
    lq.mkdir()
    hr = np.ascontiguousarray(data.astronaut()[100:164, 180:244, ::-1])
    cv2.imwrite(str(gt / 'a.png'), hr)
    cv2.imwrite(str(lq / 'a.png'), np.clip(imresize(hr, 0.25), 0, 255).round().astype(np.uint8))
    out = root / 'metrics.json'
    res = run_tool(['tools/test.py', composed['s2_cfg'], composed['s2'], '--gt', str(gt),
                    '--lq', str(lq), '--out', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'PSNR' in res.stdout + res.stderr
    src, dst = root / 'in', root / 'out'
    src.mkdir()
    cv2.imwrite(str(src / 'odd.png'), data.coffee()[:27, :41, ::-1])
    res = run_tool(['tools/infer.py', composed['s2_cfg'], composed['s2'], '--input', str(src),
                    '--output', str(dst)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert cv2.imread(str(dst / 'odd_x4.png')).shape == (108, 164, 3)


def test_block_stage_resumes_exactly_after_kill(composed):
    """Killed after iteration 2 (the coarse stage done, the fine one due at 3), resumed:
    the same removals, weights and last loss as the uninterrupted run."""
    root, cut = composed['root'], composed['root'] / 'blocks_cut'
    train_killed_after(composed['blocks_cfg'], cut, 'iter_2.pth')
    res = run_tool(['tools/train.py', composed['blocks_cfg'], '--work-dir', str(cut),
                    '--resume'], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    a, b = _load(composed['blocks']), _load(cut / 'iter_4.pth')
    assert a['state_dict'].keys() == b['state_dict'].keys()
    assert all(torch.equal(v, b['state_dict'][k]) for k, v in a['state_dict'].items())
    assert losses_by_iter(root / 'blocks')[4] == losses_by_iter(cut)[4]
    stages = [h['stage'] for h in b['progressive_prune']['history']]
    assert stages == [0, 1] and a['progressive_prune']['history'] == \
        b['progressive_prune']['history']


PRUNE_IN_STAGE2 = """
custom_hooks = [dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=1,
                     stages=[dict(at=0, parts=['bottleneck'], num_blocks=1),
                             dict(at=3, parts=['decoder'], num_blocks=1)],
                     measure_lr_size=(16, 16))]
"""


def test_slice_first_prunes_the_student_during_stage2_and_resumes_exactly(tmp_path):
    """The other order: ProgressivePruneHook on AdcSR's stage 2 scores and removes blocks
    of the sliced student (pgpsr's UNet teacher); killed after iteration 2 and resumed,
    the removals, weights and both optimizers equal the uninterrupted run's."""
    init_default_scope('pgpsr')
    torch.manual_seed(1)
    teacher = MODELS.build(load_config(f'{ROOT}/configs/adcsr/adcsr_teacher_tiny_x4.py').model)
    torch.save(dict(state_dict=teacher.state_dict()), tmp_path / 'teacher.pth')
    cfg = write_config(tmp_path / 's2.py', f"model = dict(teacher_ckpt='{tmp_path}/teacher.pth', "
                       "decoder_ckpt='sliced')\n" + RECIPE + PRUNE_IN_STAGE2,
                       base='configs/adcsr/adcsr_tiny_stage2_x4.py')
    full = _train(cfg, tmp_path / 'full')
    cut = tmp_path / 'cut'
    train_killed_after(cfg, cut, 'iter_2.pth')
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(cut), '--resume'], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    a, b = _load(full), _load(cut / 'iter_4.pth')
    removed = decode_extra_state(a['state_dict']['generator.unet._extra_state'])['dropped']
    assert len(removed) == 2 and removed[0].startswith('bottleneck.')
    assert removed[1].startswith('decoder.')
    assert not any(k.startswith(f'generator.unet.mid_units.{removed[0][-1]}.')
                   for k in a['state_dict'])
    assert a['state_dict'].keys() == b['state_dict'].keys()
    assert all(torch.equal(v, b['state_dict'][k]) for k, v in a['state_dict'].items())
    for part in ('generator', 'discriminator'):
        assert_same_optimizer_state(a['optimizer'][part], b['optimizer'][part])
    assert a['progressive_prune']['history'] == b['progressive_prune']['history']
