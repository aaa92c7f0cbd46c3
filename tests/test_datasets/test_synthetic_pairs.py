"""The seeded DIV2K-Val-style synthesiser: the same HR photos and seed give the same LR
files, each pair's draws depend on its own name and index only, the pairs are the
configured degradation of the crop, and the folders are what div2k_val_x4.py reads."""
import numpy as np
from mmengine.config import Config
from PIL import Image
from skimage import data

from pgpsr.datasets.synthetic_pairs import degrade, pair_seed, random_crop, synthesize_pairs
from tests.test_tools.helpers import ROOT, run_tool

STEPS = Config.fromfile(f'{ROOT}/configs/_base_/degradations/realesrgan_x4.py').degradation


def test_a_pair_is_its_seeded_crop_degraded_with_its_own_seed():
    hr = data.astronaut()
    (stem, gt, lr), = synthesize_pairs('a/astro.png', hr, STEPS, 64, 1, seed=3)
    s = pair_seed(3, 'a/astro.png', 0)
    assert stem == 'a_astro_00' and np.array_equal(gt, random_crop(hr, 64, s))
    assert np.array_equal(lr, degrade(gt, STEPS, s)) and lr.shape[:2] == (16, 16)
    # an independent draw: another seed gives another crop and other noise
    (_, gt2, lr2), = synthesize_pairs('a/astro.png', hr, STEPS, 64, 1, seed=4)
    assert not np.array_equal(gt, gt2) and not np.array_equal(lr, lr2)


def test_pairs_do_not_depend_on_the_other_photos_or_the_callers_stream():
    hr = data.astronaut()
    np.random.seed(0)
    first = synthesize_pairs('x.png', hr, STEPS, 64, 2, seed=1)
    before = np.random.get_state()[1].copy()
    synthesize_pairs('other.png', data.coffee(), STEPS, 64, 2, seed=1)
    assert np.array_equal(np.random.get_state()[1], before)  # the caller's stream kept
    np.random.seed(123)  # whatever the caller's stream holds
    again = synthesize_pairs('x.png', hr, STEPS, 64, 2, seed=1)
    assert all(np.array_equal(a[2], b[2]) for a, b in zip(first, again))


def test_the_tool_writes_the_div2k_val_layout_reproducibly(tmp_path):
    src = tmp_path / 'hr'
    src.mkdir()
    Image.fromarray(data.astronaut()[:200, :240]).save(src / 'astro.png')
    Image.fromarray(data.coffee()[:40, :40]).save(src / 'small.png')  # under the crop
    (src / 'broken.png').write_bytes(b'not a png')
    outs = []
    for run in ('a', 'b'):
        res = run_tool(['tools/dataset_converters/synthesize_val_pairs.py', '--input',
                        str(src), '--output', str(tmp_path / run), '--crop', '64',
                        '--crops-per-image', '2', '--seed', '7'], timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        assert 'skipped small.png' in res.stderr and 'skipped broken.png' in res.stderr
        outs.append(tmp_path / run)
    for sub, side in (('HR', 64), ('LR', 16)):
        files = sorted(p.name for p in (outs[0] / sub).iterdir())
        assert files == ['astro_00.png', 'astro_01.png']
        for f in files:
            a, b = (np.asarray(Image.open(o / sub / f)) for o in outs)
            assert a.shape == (side, side, 3) and np.array_equal(a, b)
    cfg = Config.fromfile(f'{ROOT}/configs/_base_/datasets/div2k_val_x4.py')
    ds = cfg.test_dataloader.dataset
    assert (ds.get('gt_folder'), ds.get('lq_folder')) == ('HR', 'LR'), ds
