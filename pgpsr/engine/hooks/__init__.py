"""Hooks: ProgressivePruneHook, EvalProgressHook."""
from .eval_progress_hook import EvalProgressHook
from .progressive_prune_hook import ProgressivePruneHook

__all__ = ['EvalProgressHook', 'ProgressivePruneHook']
