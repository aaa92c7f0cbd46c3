"""Evaluate on the user's own folders: the test set of any config replaced by given LR
(and GT) folders, read as they are (the shipped test pipelines remake LR from GT)."""
import copy
import os.path as osp
from typing import List, Optional

from mmengine.config import Config
from mmengine.logging import print_log

from pgpsr.registry import METRICS


def _no_reference(evaluator) -> List[dict]:
    """The metrics of ``evaluator`` that need no GT (their class says ``needs_gt=False``)."""
    items = evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]
    return [m for m in items if isinstance(m, dict)
            and getattr(METRICS.get(m['type']), 'needs_gt', True) is False]


def use_given_folders(cfg: Config, base_config: str, lq_dir: str,
                      gt_dir: Optional[str] = None) -> None:
    """Point ``cfg``'s test set at ``lq_dir`` (+ ``gt_dir``) with the pipelines of
    ``base_config`` (configs/_base_/datasets/paired_folders_x4.py). With GT the config's
    own test metrics are kept; without it only its no-reference ones (or the base's)."""
    for name, path in (('--lq', lq_dir), ('--gt', gt_dir)):
        if path is not None and not osp.isdir(path):
            raise FileNotFoundError(f'{name} {path}: no such folder')
    base = Config.fromfile(base_config)
    loader = copy.deepcopy(base.test_dataloader)
    dataset = loader.dataset
    dataset.update(data_root='', lq_folder=osp.abspath(lq_dir))
    if gt_dir is None:
        dataset.update(gt_folder=None, pipeline=base.lq_only_test_pipeline)
        metrics = _no_reference(cfg.get('test_evaluator', [])) or base.lq_only_test_evaluator
        print_log(f'LR-only evaluation of {lq_dir}: no-reference metrics '
                  f"{[m['type'] for m in metrics]}", logger='current')
    else:
        dataset.update(gt_folder=osp.abspath(gt_dir))
        for step in dataset.pipeline:
            if step['type'] == 'CheckPairScale':
                step['scale'] = cfg.get('scale', step['scale'])
        metrics = cfg.get('test_evaluator') or base.test_evaluator
        print_log(f'paired evaluation: GT {gt_dir}, the given LR {lq_dir}', logger='current')
    cfg.test_dataloader = loader
    cfg.test_evaluator = metrics
