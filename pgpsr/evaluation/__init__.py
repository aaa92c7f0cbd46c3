"""Evaluation: metrics registered for val_evaluator / test_evaluator."""
from .metrics import *  # noqa: F401, F403
