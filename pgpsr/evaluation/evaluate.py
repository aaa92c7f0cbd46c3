"""Evaluate a model on data batches with registered metrics, outside a Runner.

Used by the analysis tools (pruning baselines, the demo) that compare several models on
the same batches in one process; ``tools/test.py`` is the Runner path.
"""
from typing import Dict, Iterable, Sequence

import torch
from mmengine.evaluator import Evaluator


@torch.no_grad()
def evaluate_model(model, batches: Sequence[Dict], metrics: Iterable[Dict]) -> Dict[str, float]:
    """Mean of each metric over ``batches`` (as a data loader yields them)."""
    evaluator = Evaluator([dict(m) for m in metrics])
    was = model.training
    model.eval()
    n = 0
    try:
        for batch in batches:
            outputs = model.val_step(batch)
            evaluator.process(outputs, batch)
            n += len(outputs)
    finally:
        model.train(was)
    return evaluator.evaluate(n)
