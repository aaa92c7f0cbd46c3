"""What tools/train.py and tools/test.py share: config loading, validation, Runner set-up."""
import os
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.config import Config, DictAction  # noqa: F401  (DictAction re-exported)
from mmengine.registry import init_default_scope

from pgpsr import register_all_modules

REQUIRED_SCOPE = 'pgpsr'


def load_config(path: str, cfg_options: Optional[Dict] = None) -> Config:
    """Read a config file and apply ``--cfg-options``; errors name the file or key."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file {path} does not exist')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.setdefault('default_scope', REQUIRED_SCOPE)
    return cfg


def prepare_environment(cfg: Config, launcher: str) -> None:
    """Register pgpsr's modules, pick gloo without GPUs, write the embedded data if used."""
    register_all_modules()
    init_default_scope(cfg.get('default_scope', REQUIRED_SCOPE))
    if not torch.cuda.is_available():
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    if launcher == 'none' and int(os.environ.get('WORLD_SIZE', '1')) > 1:
        raise RuntimeError('WORLD_SIZE>1 but --launcher none; use tools/dist_train.sh')
    _prepare_embedded_data(cfg)


def _prepare_embedded_data(cfg: Config) -> None:
    from pgpsr.datasets.embedded import DEFAULT_ROOT, prepare_embedded_photos
    roots = set()
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader and loader.get('dataset', {}).get('data_root') == DEFAULT_ROOT:
            roots.add(DEFAULT_ROOT)
    for root in roots:
        prepare_embedded_photos(root)
