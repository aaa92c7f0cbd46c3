"""The recipes behind the shipped checkpoints (tools/train_adcsr_demo.py,
tools/train_pgp_adcsr_demo.py, tools/train_pgp_photos.py) in --quick mode on a small photo folder: every step runs, the
inference copies load with the checkpoints/ configs and super-resolve, and a rerun reuses
the finished steps instead of training again."""
import shutil

import pytest
import torch

from pgpsr.apis import init_model
from pgpsr.models.backbones.base import decode_extra_state
from .helpers import ROOT, run_tool


@pytest.fixture(scope='module')
def photos(tmp_path_factory):
    """A photo set laid out as `make data` writes it (train/, heldout/), from the embedded
    photos (conftest writes them)."""
    root = tmp_path_factory.mktemp('photos')
    shutil.copytree(f'{ROOT}/data/embedded/train', root / 'train')
    shutil.copytree(f'{ROOT}/data/embedded/val', root / 'heldout')
    return root


def _run_twice(args):
    first = run_tool(args, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    again = run_tool(args, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert 'reusing finished training' in again.stdout and 'trained ' not in again.stdout
    return first


def _super_resolves(config, ckpt):
    model = init_model(f'{ROOT}/{config}', str(ckpt))
    with torch.no_grad():
        sr = model.sample_any_size(torch.rand(1, 3, 20, 28) * 2 - 1)
    assert sr.shape == (1, 3, 80, 112) and torch.isfinite(sr).all()


def test_adcsr_demo_recipe(photos, tmp_path):
    _run_twice(['tools/train_adcsr_demo.py', '--quick', '--data-root', str(photos),
                '--work-dir', str(tmp_path)])
    _super_resolves('checkpoints/adcsr_teacher_demo_x4.py', tmp_path / 'adcsr_teacher_demo_x4.pth')
    _super_resolves('checkpoints/adcsr_demo_x4.py', tmp_path / 'adcsr_demo_x4.pth')
    student = torch.load(tmp_path / 'adcsr_demo_x4.pth', weights_only=False)['state_dict']
    assert all(k.startswith('generator.') for k in student)


def test_pgp_adcsr_demo_recipe(photos, tmp_path):
    """Blocks first from the shipped AdcSR teacher: the student carries the block stage's
    removals (recorded in its checkpoint, which the shipped config reads)."""
    res = run_tool(['tools/train_pgp_adcsr_demo.py', '--quick', '--data-root', str(photos),
                    '--work-dir', str(tmp_path)], timeout=600)  # reuse: the AdcSR recipe's test
    assert res.returncode == 0, res.stderr[-3000:]
    student = tmp_path / 'pgp_adcsr_demo_blocks-first_x4.pth'
    _super_resolves('checkpoints/pgp_adcsr_demo_x4.py', student)
    blocks = torch.load(tmp_path / 'blocks' / 'iter_2.pth', weights_only=False)['state_dict']
    state = torch.load(student, weights_only=False)['state_dict']
    assert all(k.startswith('generator.') for k in state)
    removed = decode_extra_state(state['generator.unet._extra_state'])['dropped']
    assert len(removed) == 4 and \
        removed == decode_extra_state(blocks['backbone._extra_state'])['dropped']


def test_pgp_photos_recipe(photos, tmp_path):
    _run_twice(['tools/train_pgp_photos.py', '--quick', '--seeds', '3', '--variants', 'pgp-onesite',
                '--data-root', str(photos), '--work-dir', str(tmp_path)])
    _super_resolves('checkpoints/pgp_dit_s1_x4.py', tmp_path / 'pgp_dit_s1_photos_x4.pth')
    pruned = tmp_path / 'pgp_dit_s1_photos-pgp-onesite_x4_seed3.pth'
    _super_resolves('checkpoints/pgp_dit_s1_pgp_x4.py', pruned)
    meta = torch.load(pruned, weights_only=False)['meta']
    assert meta['progressive_prune']['history']  # the pruning stages ran
