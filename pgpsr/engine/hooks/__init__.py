"""Hooks: ProgressivePruneHook, ShardedEMAHook, EvalProgressHook."""
from .eval_progress_hook import EvalProgressHook
from .progressive_prune_hook import ProgressivePruneHook
from .sharded_ema_hook import ShardedEMAHook

__all__ = ['EvalProgressHook', 'ProgressivePruneHook', 'ShardedEMAHook']
