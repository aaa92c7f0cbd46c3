"""Training on your own photos without a validation folder: validation is optional."""
import importlib.util
import os.path as osp

import numpy as np
from PIL import Image

from .helpers import ROOT, run_tool, write_config


def _photos(root) -> str:
    """A training folder and nothing else (no val/): what a user's photo set is."""
    rng = np.random.default_rng(0)
    (root / 'train').mkdir(parents=True)
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (80, 96, 3), dtype=np.uint8)).save(
            root / 'train' / f'{i}.png')
    return str(root)


def test_val_dataloader_none_trains_and_writes_a_checkpoint(tmp_path):
    photos = _photos(tmp_path / 'photos')
    cfg = write_config(tmp_path / 'cfg.py', """
        train_cfg = dict(max_iters=4, val_interval=2)
        default_hooks = dict(checkpoint=dict(interval=4))
        """)
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(tmp_path / 'w'), '--cfg-options',
                    f'train_dataloader.dataset.data_root={photos}', 'val_dataloader=None'],
                   timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    assert (tmp_path / 'w' / 'iter_4.pth').exists()


def test_no_validate_flag_drops_validation(tmp_path):
    spec = importlib.util.spec_from_file_location('train_tool', osp.join(ROOT, 'tools/train.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    photos = _photos(tmp_path / 'photos')
    cfg = tool.build_config(tool.parse_args([
        osp.join(ROOT, 'configs/pgp_diffsr/pgp_dit_tiny_x4.py'), '--no-validate',
        '--work-dir', str(tmp_path / 'w'),
        '--cfg-options', f'train_dataloader.dataset.data_root={photos}',
        f'val_dataloader.dataset.data_root={tmp_path / "missing"}']))
    assert (cfg.val_dataloader, cfg.val_cfg, cfg.val_evaluator) == (None, None, None)
