"""Hooks: ProgressivePruneHook."""
from .progressive_prune_hook import ProgressivePruneHook

__all__ = ['ProgressivePruneHook']
