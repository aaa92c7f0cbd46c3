"""Top-level config keys nobody reads: a misspelt ``trian_cfg`` is otherwise silently
ignored (the run uses the base's ``train_cfg``), so it is named with the closest known key.

Known keys: what mmengine's Runner / FlexibleRunner take from a config, every key a
shipped base config under ``configs/_base_/`` defines (interpolation variables such as
``scale``, ``gt_crop``, ``data_root``), and the few that pgpsr's tools and configs add.
"""
import ast
import difflib
import glob
import inspect
import logging
import os.path as osp
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, Optional

from mmengine.config import Config
from mmengine.logging import print_log

PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))


def shipped_base_dir(package_dir: str = PACKAGE_DIR) -> str:
    """The shipped base configs: package data (setup.py's ``.mim``, OpenMMLab's layout: a
    link to configs/ in an editable install, a copy in a wheel), else, in a source tree
    that was never installed (a second clone sharing a virtualenv), the repository's own
    ``configs/_base_`` beside the package, as OpenMMLab's tools fall back."""
    for root in (osp.join(package_dir, '.mim', 'configs'),
                 osp.join(osp.dirname(package_dir), 'configs')):
        if osp.isdir(osp.join(root, '_base_')):
            return osp.join(root, '_base_')
    raise FileNotFoundError(
        f"no shipped base configs: neither {package_dir}/.mim/configs/_base_ (made by "
        f"'pip install -e .') nor {osp.dirname(package_dir)}/configs/_base_ (a source tree)")


# read after parsing: by mmengine outside from_cfg's arguments or by pgpsr's tools
READ_KEYS = frozenset({
    'model_wrapper_cfg',  # Runner.wrap_model
    'weights_in_config',  # tools/test.py: no checkpoint needed
    'parent_config',  # the config whose run makes load_from (named by the start-up check)
})
# variables of the shipped AdcSR configs that several files share (read while parsing)
SHARED_VARIABLES = frozenset({'teacher', 'osediff', 'release', 'demo_vae', 'tiny_vae',
                              'gt_train_pipeline', 'paired_pipeline'})
EXTRA_KEYS = READ_KEYS | SHARED_VARIABLES


class ConfigKeyError(ValueError):
    """A config key that would be ignored: misspelt, or a variable set after parsing."""


def _runner_keys() -> FrozenSet[str]:
    """The arguments Runner.from_cfg / FlexibleRunner.from_cfg fill from the config."""
    from mmengine.runner import FlexibleRunner, Runner
    keys = set()
    for cls in (Runner, FlexibleRunner):
        keys |= set(inspect.signature(cls.__init__).parameters)
    return frozenset(keys - {'self', 'cfg'})


def _assigned_names(path: str) -> Iterable[str]:
    """Top-level names a config file assigns (parsed, not executed: fast, no imports)."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        for t in targets:
            if isinstance(t, ast.Name):
                yield t.id


@lru_cache(maxsize=1)
def known_top_level_keys() -> FrozenSet[str]:
    """Runner's keys + the shipped base configs' keys + ``EXTRA_KEYS``."""
    base_dir = shipped_base_dir()
    base = {name for path in glob.glob(osp.join(base_dir, '**', '*.py'), recursive=True)
            for name in _assigned_names(path)}
    return _runner_keys() | frozenset(base - {'_base_'}) | EXTRA_KEYS


def _suggestion(key: str) -> str:
    close = difflib.get_close_matches(key, sorted(known_top_level_keys()), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ''


def check_cfg_options(cfg_options: Optional[Dict]) -> None:
    """Refuse ``--cfg-options`` with an unknown top-level key, even one the file defines:
    a typo on the command line is never intended (see also
    :func:`check_variable_overrides`)."""
    for option in cfg_options or {}:
        key = option.split('.')[0]
        if key not in known_top_level_keys():
            raise ConfigKeyError(f"--cfg-options {option}: unknown top-level config key "
                                 f"'{key}'{_suggestion(key)}")


def _places(node, value, path: str = '') -> Iterable[str]:
    """Dotted paths under ``node`` (dicts and lists) whose value equals ``value``."""
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, (list, tuple)) else ()
    for k, v in items:
        where = f'{path}.{k}' if path else str(k)
        if isinstance(v, (dict, list, tuple)):
            yield from _places(v, value, where)
        elif type(v) is type(value) and v == value:
            yield where


def check_variable_overrides(cfg: Config, cfg_options: Optional[Dict]) -> None:
    """Refuse ``--cfg-options`` on a config *variable* (``data_root``, ``scale``,
    ``max_iters``...): the file computed its dataloaders and model from it while it was
    parsed, so setting it afterwards would change nothing and the run would silently use
    the file's value. The error names where that value went, to set those instead."""
    for option, new in (cfg_options or {}).items():
        key = option.split('.')[0]
        if key in _runner_keys() or key in READ_KEYS:
            continue
        old = cfg.get(key)
        # a path's value is distinctive; a number (scale=4) equals unrelated settings
        places = [p for k in cfg.keys() if k != key
                  for p in _places({k: cfg[k]}, old)] if isinstance(old, str) else []
        where = (' set where its value ' + repr(old) + ' went instead: ' +
                 ' '.join(f'{p}={new}' for p in places)) if places else \
            ' set the keys that use it instead'
        raise ConfigKeyError(
            f"--cfg-options {option}={new}: '{key}' is a variable of the config file, read only "
            f"while the file is parsed, so setting it here would change nothing;{where}")


def warn_unknown_keys(cfg: Config) -> None:
    """One warning per top-level key of ``cfg`` that nothing reads."""
    for key in cfg.keys():
        if key not in known_top_level_keys():
            print_log(f"unknown top-level config key '{key}'{_suggestion(key)}",
                      logger='current', level=logging.WARNING)
