"""tools/test.py --gt/--lq: the user's own LR is what gets scored (flat grey LR must score
far worse than the real LR), --lq alone runs the no-reference metrics, and a config whose
pipeline remakes LR from GT refuses a given LR folder instead of ignoring it."""
import json

import cv2
import numpy as np
import pytest
from skimage import data

from pgpsr.datasets.transforms.matlab_resize import imresize
from pgpsr.registry import DATASETS
from .helpers import ROOT, run_tool

CONFIG, CKPT = 'checkpoints/pgp_dit_s1_pgp_x4.py', 'checkpoints/pgp_dit_s1_pgp_x4.pth'


def _write_pairs(root, size=96, grey=False):
    for name in ('astronaut', 'coffee'):
        hr = getattr(data, name)()[:size, :size]
        lr = np.clip(np.round(imresize(hr.astype(np.float64), 0.25)), 0, 255).astype(np.uint8)
        if grey:
            lr = np.full_like(lr, 128)
        for sub, img in (('HR', hr), ('LR', lr)):
            (root / sub).mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(root / sub / f'{name}.png'), img[..., ::-1])
    return str(root / 'HR'), str(root / 'LR')


def _test(tmp_path, *folders):
    out = tmp_path / 'out.json'
    res = run_tool(['tools/test.py', CONFIG, CKPT, '--work-dir', str(tmp_path / 'w'),
                    '--out', str(out), *folders], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(out.read_text())


def test_the_given_lr_is_scored_grey_lr_scores_far_worse(tmp_path):
    gt, lq = _write_pairs(tmp_path / 'real')
    real = _test(tmp_path, '--gt', gt, '--lq', lq)['mean']
    gt, lq = _write_pairs(tmp_path / 'grey', grey=True)
    grey = _test(tmp_path, '--gt', gt, '--lq', lq)['mean']
    assert real['PSNR'] > 24 and grey['PSNR'] < real['PSNR'] - 8, (real, grey)


def test_lq_alone_runs_the_no_reference_metrics(tmp_path):
    _, lq = _write_pairs(tmp_path, size=256)
    result = _test(tmp_path, '--lq', lq)
    assert set(result['mean']) == {'NIQE'} and 3 < result['mean']['NIQE'] < 30
    assert set(result['per_image']) == {'astronaut', 'coffee'}


def _paired_dataset(gt, lq):
    from mmengine.config import Config
    base = Config.fromfile(f'{ROOT}/configs/_base_/datasets/paired_folders_x4.py')
    cfg = base.test_dataloader.dataset
    cfg.update(data_root='', gt_folder=gt, lq_folder=lq)
    return DATASETS.build(cfg)


def test_mismatched_names_and_scales_are_refused_with_the_files(tmp_path):
    gt, lq = _write_pairs(tmp_path)
    (tmp_path / 'LR' / 'coffee.png').rename(tmp_path / 'LR' / 'tea.png')
    with pytest.raises(ValueError, match=r"GT without LQ: \['coffee'\]; LQ without GT: \['tea'\]"):
        _paired_dataset(gt, lq)
    (tmp_path / 'LR' / 'tea.png').rename(tmp_path / 'LR' / 'coffee.png')
    cv2.imwrite(str(tmp_path / 'LR' / 'coffee.png'), np.zeros((20, 24, 3), np.uint8))
    dataset = _paired_dataset(gt, lq)
    assert dataset[0]['inputs'].shape[-2:] == (24, 24)  # astronaut: a true x4 pair
    with pytest.raises(ValueError, match='coffee.png is 20x24: not a x4 pair'):
        dataset[1]


def test_gt_a_few_pixels_over_4x_is_mod_cropped(tmp_path):
    gt, lq = _write_pairs(tmp_path)
    big = np.zeros((99, 97, 3), np.uint8)
    cv2.imwrite(str(tmp_path / 'HR' / 'coffee.png'), big)
    assert _paired_dataset(gt, lq)[1]['data_samples'].gt_img.shape[-2:] == (96, 96)


def test_a_gt_pipeline_refuses_a_given_lr_folder(tmp_path):
    """The shipped test pipeline makes LR from GT: naming an LR folder for it is an error
    that names the way to evaluate given pairs, not a silent bicubic score."""
    from mmengine.config import Config
    gt, lq = _write_pairs(tmp_path)
    cfg = Config.fromfile(f'{ROOT}/{CONFIG}').test_dataloader.dataset
    cfg.update(data_root=str(tmp_path), gt_folder='HR', lq_folder='LR')
    with pytest.raises(ValueError, match='never loads it.*--gt DIR --lq DIR'):
        DATASETS.build(cfg)
