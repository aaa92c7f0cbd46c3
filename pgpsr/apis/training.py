"""Training a config to its end from Python, idempotently: the steps of the demos and of
the recipes behind the shipped checkpoints (tools/demo.py, tools/train_*.py)."""
import gc
import os.path as osp
import time
from typing import Dict, Optional

import torch
from mmengine.runner import Runner

from pgpsr.engine.hooks.sharded_pruning import prepare_runner, restart_checkpoint
from .runner_setup import load_config, prepare_environment

DEFAULT_PHOTOS = 'data/photos'


def runner_class(cfg):
    """mmengine's FlexibleRunner when the config names a ``strategy`` (FSDP, DeepSpeed,
    DDP, single device), else its Runner."""
    if cfg.get('strategy'):
        from mmengine.runner import FlexibleRunner
        return FlexibleRunner
    return Runner


def train(cfg) -> None:
    """Train ``cfg`` to its end. Under a sharded strategy each pruning stage ends a run
    at its iteration and the next run resumes from the checkpoint saved there, with the
    blocks removed before wrapping (``pgpsr.engine.hooks.sharded_pruning``)."""
    while True:
        runner = runner_class(cfg).from_cfg(cfg)
        prepare_runner(runner)
        runner.train()
        path = restart_checkpoint(runner)
        if path is None:
            return
        cfg.resume, cfg.load_from = True, path
        del runner  # the old model, optimizer, teacher and workers go before the next run
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def train_to_completion(config: str, work_dir: str, quick: bool = False,
                        load_from: Optional[str] = None,
                        cfg_options: Optional[Dict] = None) -> str:
    """Train ``config`` (with ``cfg_options`` merged, as ``--cfg-options`` would) into
    ``work_dir`` and return its final checkpoint: reused when finished, resumed from the
    config's periodic checkpoints when interrupted. ``quick``: 2 iterations (a smoke test),
    pruning stages moved to iteration 1 at the latest (fine-tuned for one). No validation (callers evaluate)."""
    cfg = load_config(config, cfg_options)
    if quick:
        cfg.train_cfg.max_iters = 2
        for hook in cfg.get('custom_hooks', []):
            for stage in hook.get('stages', []):
                stage['at'] = min(stage['at'], 1)
    cfg.train_cfg.val_interval = cfg.train_cfg.max_iters + 1  # no validation
    ckpt = cfg.default_hooks.checkpoint
    ckpt.interval = min(ckpt.get('interval', cfg.train_cfg.max_iters), cfg.train_cfg.max_iters)
    ckpt.save_last = True
    cfg.default_hooks.logger.interval = 50
    cfg.work_dir = work_dir
    cfg.resume, cfg.load_from = start_settings(work_dir, load_from)
    final = osp.join(work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    prepare_environment(cfg, 'none')
    if osp.exists(final):
        print(f'reusing finished training: {final}')
        return final
    t = time.perf_counter()
    train(cfg)
    print(f'trained {config} in {time.perf_counter() - t:.0f} s')
    return final


def start_settings(work_dir: str, load_from: Optional[str]):
    """``(resume, load_from)`` for a run into ``work_dir``: an interrupted run resumes
    from its own latest checkpoint (mmengine resumes from ``load_from`` when both are
    set, which would restart a pruned run from its parent); a fresh one loads
    ``load_from``."""
    if osp.exists(osp.join(work_dir, 'last_checkpoint')):
        return True, None
    return False, load_from


def recipe_parser(description: str, work_dir: str):
    """The arguments every training recipe (tools/train_*.py) takes."""
    import argparse
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--work-dir', default=work_dir)
    p.add_argument('--quick', action='store_true',
                   help='2 iterations per run (a smoke test; the models are meaningless)')
    p.add_argument('--data-root', default=DEFAULT_PHOTOS,
                   help='photo set with train/ and heldout/ (default: the `make data` one, '
                   'built first if missing)')
    return p


def recipe_steps(args, config_dir: str):
    """``(work_path, train)`` for a training recipe's parsed ``args``: ``work_path(*parts)``
    joins under ``--work-dir``; ``train(config, name, **cfg_options)`` trains
    ``config_dir + config`` to completion into ``work_path(name)`` on the photo set."""
    data = photo_set_options(args.data_root)

    def work_path(*parts: str) -> str:
        return osp.join(args.work_dir, *parts)

    def train_step(config: str, name: str, **opts) -> str:
        return train_to_completion(config_dir + config, work_path(name), args.quick,
                                   cfg_options={**data, **opts})
    return work_path, train_step


def photo_set_options(data_root: Optional[str] = None) -> Dict[str, str]:
    """``cfg_options`` pointing a photo-set config's loaders at ``data_root`` (the
    default set is built first when missing, as `make data` does)."""
    from pgpsr.datasets.photo_packages import ensure_photo_set
    root = ensure_photo_set() if data_root in (None, DEFAULT_PHOTOS) else data_root
    return {f'{s}_dataloader.dataset.data_root': root for s in ('train', 'val', 'test')}
