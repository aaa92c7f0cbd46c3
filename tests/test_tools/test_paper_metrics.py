"""tools/test.py --metrics paper: the papers' nine columns on a paired test set (its
given LR), the no-reference four on an LR-only one, a progress bar and the markdown row;
the released test-set configs read their layouts (tiny stand-ins written here)."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from skimage import data

from pgpsr.apis.paper_metrics import (PAPER_COLUMNS, has_gt, markdown_row, paper_row,
                                      use_paper_metrics)
from pgpsr.apis.test_sets import use_test_set
from pgpsr.registry import DATASETS
from tests.test_evaluation.pyiqa_fakes import build_weights
from .helpers import ROOT, run_tool

CONFIG, CKPT = 'checkpoints/pgp_dit_s1_pgp_x4.py', 'checkpoints/pgp_dit_s1_pgp_x4.pth'
PAPER = osp.join(ROOT, 'configs', '_base_', 'evaluation', 'paper_x4.py')
NO_REFERENCE = ['PyiqaNIQE', 'MUSIQ', 'MANIQA', 'CLIPIQA']
NINE = ['PSNRY', 'SSIMY', 'PyiqaLPIPS', 'PyiqaDISTS', 'PyiqaFID', *NO_REFERENCE]
LAYOUTS = [  # (test-set config, its default data root, has GT)
    ('realsr_x4', 'data/RealSR', True), ('drealsr_x4', 'data/DRealSR', True),
    ('div2k_val_x4', 'data/DIV2K-Val', True), ('reallq250_x4', 'data/RealLQ250', False)]


def _write_set(root, paired=True, names=('astronaut', 'coffee')):
    """128 px HR photo crops in HR/ and their 32 px LR in LR/ (same file names)."""
    for name in names:
        hr = getattr(data, name)()[:128, :128]
        lr = cv2.resize(hr, (32, 32), interpolation=cv2.INTER_AREA)
        for sub, img in (('HR', hr), ('LR', lr)) if paired else (('LR', lr),):
            (root / sub).mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(root / sub / f'{name}.png'), img[..., ::-1])
    return str(root)


@pytest.fixture(scope='module')
def hub(tmp_path_factory):
    return build_weights(str(tmp_path_factory.mktemp('torch_hub')))


@pytest.mark.parametrize('name,data_root,paired', LAYOUTS, ids=[n for n, *_ in LAYOUTS])
def test_each_test_set_reads_its_layout_and_the_given_lr(tmp_path, hub, name, data_root,
                                                         paired):
    path = osp.join(ROOT, 'configs', '_base_', 'datasets', f'{name}.py')
    assert Config.fromfile(path).test_dataloader.dataset.data_root == data_root
    cfg = Config.fromfile(osp.join(ROOT, CONFIG))
    use_test_set(cfg, path, _write_set(tmp_path, paired))
    assert [m['type'] for m in cfg.test_evaluator] == (NINE if paired else NO_REFERENCE)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    item = dataset[0]
    lr = cv2.imread(str(tmp_path / 'LR' / 'astronaut.png'))[..., ::-1]
    assert np.array_equal(item['inputs'].permute(1, 2, 0).numpy(), lr)  # as given
    assert ('gt_img' in item['data_samples']) is paired and has_gt(cfg) is paired
    if paired:
        assert tuple(item['data_samples'].gt_img.shape) == (3, 128, 128)
    metrics = use_paper_metrics(cfg, PAPER, hub)
    assert [m['type'] for m in metrics] == (NINE if paired else NO_REFERENCE)
    assert all(m.get('weights_dir') == hub for m in metrics if m['type'] not in NINE[:2])


def test_missing_weights_are_all_named_before_the_model_runs(tmp_path):
    cfg = Config.fromfile(osp.join(ROOT, CONFIG))
    with pytest.raises(FileNotFoundError) as info:
        use_paper_metrics(cfg, PAPER, str(tmp_path))
    for file in ('alexnet-owt-7be5be79.pth', 'vgg16-397923af.pth', 'MANIQA_PIPAL-ae6d356b.pth',
                 'pt_inception-2015-12-05-6726825d.pth', 'RN50.pt', 'niqe_modelparameters.mat'):
        assert f'{file} -> {tmp_path}' in str(info.value)


def test_the_row_keeps_the_papers_order_and_prints_missing_as_a_dash():
    row = paper_row(dict(NIQE=4.5, PSNR=25.123, FID=float('nan'), MUSIQ=60.0))
    assert list(row) == list(PAPER_COLUMNS) and row['FID'] is None and row['SSIM'] is None
    line = markdown_row('m', row, header=False)
    assert line == '| m | 25.12 | - | - | - | - | 4.5000 | 60.00 | - | - |'


def _paper_run(tmp_path, hub, maniqa_index, *data_args):
    work = tmp_path / 'work'
    res = run_tool(['tools/test.py', CONFIG, CKPT, *data_args, '--metrics', 'paper',
                    '--metric-weights', hub, '--work-dir', str(work), '--cfg-options',
                    f'test_evaluator.{maniqa_index}.pyiqa_opts.test_sample=1'], timeout=500)
    assert res.returncode == 0, res.stderr[-3000:]
    result = json.loads((work / 'paper_metrics.json').read_text())
    assert list(result['paper_row']) == list(PAPER_COLUMNS)
    assert markdown_row(CONFIG.split('/')[-1][:-3], result['paper_row']) in res.stdout
    assert 'test: 100%' in res.stderr  # the progress bar over the images
    return result


def test_paper_preset_on_a_released_layout_fills_the_nine_columns(tmp_path, hub):
    root = _write_set(tmp_path / 'RealSR')
    result = _paper_run(tmp_path, hub, 7, '--test-set', 'configs/_base_/datasets/realsr_x4.py',
                        '--data-root', root)
    row = result['paper_row']
    assert all(np.isfinite(row[c]) for c in PAPER_COLUMNS), row
    assert 25 < row['PSNR'] < 45 and 0.5 < row['SSIM'] <= 1  # the given LR was used
    assert set(result['per_image']) == {'astronaut', 'coffee'}


def test_paper_preset_with_lq_alone_fills_the_no_reference_four(tmp_path, hub):
    lq = osp.join(_write_set(tmp_path / 'lq', paired=False, names=('astronaut',)), 'LR')
    row = _paper_run(tmp_path, hub, 2, '--lq', lq)['paper_row']
    assert [c for c in PAPER_COLUMNS if row[c] is not None] == ['NIQE', 'MUSIQ', 'MANIQA',
                                                                 'CLIPIQA']
