"""Hooks (the ProgressivePruneHook lives here)."""
__all__ = []
