"""Removing blocks from a model that is being trained, keeping everything around it valid.

Blocks are removed through the backbone contract (``drop_block``); what holds references
to their parameters is then fixed in place: the optimizer's param groups and state (so
the same optimizer object, and the LR schedulers bound to it, keep working) and the EMA
copy of mmengine's EMAHook.
"""
from typing import Iterable, List

import torch


def drop_blocks(model, names: Iterable[str]) -> List[str]:
    """Drop ``names`` from ``model.backbone``; returns those actually removed now."""
    removed = []
    for n in names:
        if n not in model.backbone.dropped:
            model.backbone.drop_block(n)
            removed.append(n)
    return removed


def prune_optimizer(optimizer: torch.optim.Optimizer, model: torch.nn.Module) -> int:
    """Forget parameters no longer in ``model``; returns how many were removed."""
    alive = {id(p) for p in model.parameters()}
    removed = 0
    for group in optimizer.param_groups:
        kept = [p for p in group['params'] if id(p) in alive]
        for p in group['params']:
            if id(p) not in alive:
                optimizer.state.pop(p, None)
                removed += 1
        group['params'] = kept
    return removed


def prune_ema(ema_model, names: Iterable[str]) -> None:
    """Drop the same blocks from an mmengine ``BaseAveragedModel`` and re-bind its averages."""
    module = ema_model.module
    for n in names:
        if n not in module.backbone.dropped:
            module.backbone.drop_block(n)
    ema_model.avg_parameters = (module.state_dict() if ema_model.update_buffers
                                else dict(module.named_parameters()))
