"""Misspelt top-level config keys are named (a file: warned; --cfg-options: refused), and
no shipped config trips the check."""
import glob
import logging
import os.path as osp
from typing import List

import pytest
from mmengine.logging import MMLogger

from pgpsr.apis import load_config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = osp.join(ROOT, 'configs/pgp_diffsr/pgp_dit_tiny_x4.py')
SHIPPED = sorted(p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in p) + sorted(glob.glob(osp.join(ROOT, 'checkpoints', '*.py')))


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def warnings_logged():
    """Warnings sent to mmengine's current logger (it does not propagate to caplog)."""
    logger, handler = MMLogger.get_current_instance(), _Records()
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


def test_a_typo_in_a_file_is_warned_with_the_closest_key(tmp_path, warnings_logged):
    cfg = tmp_path / 'typo.py'
    cfg.write_text(f"_base_ = ['{TINY}']\ntrian_cfg = dict(max_iters=1)\n")
    loaded = load_config(str(cfg))
    assert loaded.train_cfg.max_iters == 20  # what the typo silently left in place
    assert warnings_logged == ["unknown top-level config key 'trian_cfg' "
                               "(did you mean 'train_cfg'?)"]


def test_a_typo_in_cfg_options_is_an_error(tmp_path, warnings_logged):
    typo = tmp_path / 'typo.py'  # also where the file has the same typo
    typo.write_text(f"_base_ = ['{TINY}']\ntrian_cfg = dict(max_iters=1)\n")
    for path in (TINY, str(typo)):
        with pytest.raises(ValueError, match=r"'trian_cfg' \(did you mean 'train_cfg'\?\)"):
            load_config(path, {'trian_cfg.max_iters': 1})
    # keys the config defines or that are known are fine, new or not
    cfg = load_config(TINY, {'train_cfg.max_iters': 1, 'gt_crop': 32, 'compile': False})
    assert cfg.train_cfg.max_iters == 1 and cfg.gt_crop == 32 and not warnings_logged


def test_val_dataloader_none_drops_the_whole_validation():
    cfg = load_config(TINY, {'val_dataloader': None})
    assert cfg.val_dataloader is None and cfg.val_cfg is None and cfg.val_evaluator is None
    assert cfg.test_dataloader is not None  # tools/test.py still has its data


@pytest.mark.parametrize('path', SHIPPED, ids=lambda p: osp.relpath(p, ROOT))
def test_every_shipped_config_loads_without_an_unknown_key(path, warnings_logged):
    load_config(path)
    assert not warnings_logged
