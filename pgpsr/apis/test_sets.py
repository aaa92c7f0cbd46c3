"""Evaluate on a named test set: the test set of any model config replaced by a test-set
config from ``configs/_base_/datasets/`` (RealSR, DRealSR, DIV2K-Val as released with
their given LR; RealLQ250 without GT), with that config's metrics."""
import copy
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.logging import print_log


def use_test_set(cfg: Config, test_set_config: str, data_root: Optional[str] = None) -> None:
    """Put the ``test_dataloader`` and ``test_evaluator`` of ``test_set_config`` into
    ``cfg``; ``data_root`` replaces the folder the test set config names."""
    if not osp.isfile(test_set_config):
        raise FileNotFoundError(f'--test-set {test_set_config}: no such config file')
    test_set = Config.fromfile(test_set_config)
    if 'test_dataloader' not in test_set or 'test_evaluator' not in test_set:
        raise ValueError(f'--test-set {test_set_config}: a test-set config defines '
                         'test_dataloader and test_evaluator (see configs/_base_/datasets/)')
    loader = copy.deepcopy(test_set.test_dataloader)
    if data_root is not None:
        loader.dataset.data_root = data_root
    for step in loader.dataset.get('pipeline', []):
        if step['type'] == 'CheckPairScale':
            step['scale'] = cfg.get('scale', step['scale'])
    cfg.test_dataloader = loader
    cfg.test_evaluator = copy.deepcopy(test_set.test_evaluator)
    print_log(f'test set {test_set_config}: {loader.dataset.get("data_root")}', logger='current')
