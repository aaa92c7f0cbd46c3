"""Training a config to its end from Python, idempotently (the demo's steps)."""
import os.path as osp
import time
from typing import Optional

from mmengine.runner import Runner

from .runner_setup import load_config, prepare_environment


def train_to_completion(config: str, work_dir: str, quick: bool = False,
                        load_from: Optional[str] = None) -> str:
    """Train ``config`` into ``work_dir`` and return its final checkpoint: reused when
    finished, resumed when interrupted. ``quick``: 6 iterations (a smoke test), pruning
    stages moved to iteration 3 at the latest. No validation (callers evaluate)."""
    cfg = load_config(config)
    if quick:
        cfg.train_cfg.max_iters = 6
        for hook in cfg.get('custom_hooks', []):
            for stage in hook.get('stages', []):
                stage['at'] = min(stage['at'], 3)
    cfg.train_cfg.val_interval = cfg.train_cfg.max_iters + 1  # no validation
    cfg.default_hooks.checkpoint.interval = cfg.train_cfg.max_iters
    cfg.default_hooks.logger.interval = 50
    cfg.work_dir = work_dir
    cfg.load_from = load_from
    final = osp.join(work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    prepare_environment(cfg, 'none')
    if osp.exists(final):
        print(f'reusing finished training: {final}')
        return final
    if osp.exists(osp.join(work_dir, 'last_checkpoint')):
        cfg.resume = True
    t = time.perf_counter()
    Runner.from_cfg(cfg).train()
    print(f'trained {config} in {time.perf_counter() - t:.0f} s')
    return final
