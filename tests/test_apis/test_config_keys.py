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
    # keys read after parsing are fine, new or not
    cfg = load_config(TINY, {'train_cfg.max_iters': 1, 'compile': False})
    assert cfg.train_cfg.max_iters == 1 and cfg.compile is False and not warnings_logged
    # a variable of the file (gt_crop sized the crops while it was parsed) is refused
    with pytest.raises(ValueError, match="'gt_crop' is a variable of the config file"):
        load_config(TINY, {'gt_crop': 32})


def test_val_dataloader_none_drops_the_whole_validation():
    cfg = load_config(TINY, {'val_dataloader': None})
    assert cfg.val_dataloader is None and cfg.val_cfg is None and cfg.val_evaluator is None
    assert cfg.test_dataloader is not None  # tools/test.py still has its data


@pytest.mark.parametrize('path', SHIPPED, ids=lambda p: osp.relpath(p, ROOT))
def test_every_shipped_config_loads_without_an_unknown_key(path, warnings_logged):
    load_config(path)
    assert not warnings_logged


def _source_tree(tmp_path, with_mim: bool) -> str:
    """A copy of the package and the configs as a second clone has them (never installed:
    no ``pgpsr/.mim``), optionally with the editable install's link."""
    import os
    import shutil
    tree = tmp_path / 'clone'
    shutil.copytree(osp.join(ROOT, 'pgpsr'), tree / 'pgpsr',
                    ignore=shutil.ignore_patterns('.mim', '__pycache__'))
    shutil.copytree(osp.join(ROOT, 'configs'), tree / 'configs')
    if with_mim:
        (tree / 'pgpsr' / '.mim').mkdir()
        os.symlink(tree / 'configs', tree / 'pgpsr' / '.mim' / 'configs')
    return str(tree)


@pytest.mark.parametrize('with_mim', [False, True])
def test_the_base_configs_are_found_in_a_source_tree_without_an_install(tmp_path, with_mim):
    """A second clone imported from its own tree (no ``pip install -e .``, so no .mim)
    reads the keys of its own configs/_base_, as an installed tree reads its .mim."""
    import subprocess
    import sys
    tree = _source_tree(tmp_path, with_mim)
    # a key only this tree's base configs define: proves which folder was read
    with open(osp.join(tree, 'configs', '_base_', 'default_runtime.py'), 'a') as f:
        f.write('\nonly_in_this_clone = 1\n')
    code = ('from pgpsr.apis import config_keys as k; '
            'print(k.shipped_base_dir()); print("only_in_this_clone" in k.known_top_level_keys())')
    out = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, capture_output=True,
                         text=True, env={'PYTHONPATH': tree, 'PATH': '/usr/bin:/bin'})
    assert out.returncode == 0, out.stderr[-2000:]
    base_dir, found = out.stdout.split()
    want = osp.join(tree, 'pgpsr', '.mim', 'configs', '_base_') if with_mim else \
        osp.join(tree, 'configs', '_base_')
    assert (base_dir, found) == (want, 'True')


def test_no_base_configs_anywhere_names_both_places(tmp_path):
    from pgpsr.apis.config_keys import shipped_base_dir
    (tmp_path / 'pgpsr').mkdir()
    with pytest.raises(FileNotFoundError, match=r"\.mim/configs/_base_.*configs/_base_"):
        shipped_base_dir(str(tmp_path / 'pgpsr'))
