"""One pruning step, the same for the progressive hook and the one-shot tools.

score the live blocks -> select by the stage's rule -> (agree across ranks) -> drop ->
count. What else holds the parameters (optimizer, EMA copy, DDP wrapper) is the
caller's to fix: only the training hook has them (see ``surgery``).
"""
from typing import Callable, Dict, Iterable, List, Optional, Sequence

from .complexity import complexity
from .importance import build_scorer, scorer_class
from .policy import resolve_joint, select_blocks
from .surgery import drop_blocks


def prune_step(model, stage: Dict, batches: Iterable[Dict] = (), criterion: str = 'cosine',
               num_steps: Optional[int] = None, seed: int = 0,
               lr_size: Sequence[int] = (32, 32),
               agree: Optional[Callable[[List[str]], List[str]]] = None) -> Dict:
    """Remove the blocks ``stage`` selects from ``model`` (a PGPDiffSR) in place.

    ``agree`` maps the locally selected names to the ones every process removes (the
    hook broadcasts rank 0's choice: calibration batches differ per rank).

    Returns:
        ``dict(removed=[names], scores={name: score}, params=..., backbone_params=...,
        step_macs=...)``, the counts taken after the removal at LR ``lr_size``.
    """
    stage, criterion, extra = resolve_joint(stage, criterion)
    if scorer_class(criterion).calibrated:
        extra = dict(extra, num_steps=num_steps)
    scores = build_scorer(criterion, **extra)(model, batches, seed)
    total = len(model.backbone.blocks(include_dropped=True))
    names = select_blocks(model.backbone, scores, stage, total)
    if agree is not None:
        names = agree(names)
    drop_blocks(model, names)
    return dict(removed=names, scores=scores, **complexity(model, tuple(lr_size)))
