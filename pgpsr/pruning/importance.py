"""Block importance: PGP-DiffSR's redundancy, and the random / magnitude baselines.

Every scorer returns ``{block name: score}`` where a *lower* score means "remove first",
so the policy is the same whatever the criterion. Scorers are plain callables looked up
by name, which keeps the criterion a config string (``criterion='cosine'``).
"""
from typing import Callable, Dict, Iterable, Optional

import numpy as np
import torch

from .redundancy import analyse_redundancy, block_redundancy

Scores = Dict[str, float]


def redundancy_scores(model, batches: Iterable[Dict], measure: str = 'cosine',
                      num_steps: Optional[int] = None, seed: int = 0, **_) -> Scores:
    """Measured redundancy (``cosine`` = Phi, ``kl`` = Psi) of each live block."""
    return block_redundancy(analyse_redundancy(model, batches, num_steps, seed), measure)


def joint_scores(model, batches: Iterable[Dict], thresholds: Dict[str, float],
                 num_steps: Optional[int] = None, seed: int = 0, **_) -> Scores:
    """PGP-DiffSR's joint test of Phi and Psi from one calibration run: each block's
    measures divided by their thresholds, the larger kept. A score below 1 means *every*
    measure is below its threshold; ranking by it ranks by the less redundant measure."""
    table = analyse_redundancy(model, batches, num_steps, seed)
    per_measure = {m: block_redundancy(table, m) for m in thresholds}
    return {n: max(per_measure[m][n] / float(t) for m, t in thresholds.items())
            for n in table}


def random_scores(model, batches=None, seed: int = 0, **_) -> Scores:
    """Baseline: a seeded random order (the same on every rank)."""
    names = list(model.backbone.blocks())
    rng = np.random.default_rng(seed)
    return dict(zip(names, rng.random(len(names)).tolist()))


def magnitude_scores(model, batches=None, **_) -> Scores:
    """Baseline: mean absolute weight of the block (small weights = unimportant)."""
    out = {}
    for name, (_, module) in model.backbone.blocks().items():
        params = [p.detach().abs().flatten() for p in module.parameters() if p.dim() > 1]
        out[name] = float(torch.cat(params).float().mean()) if params else 0.0
    return out


SCORERS: Dict[str, Callable[..., Scores]] = dict(
    cosine=lambda model, batches, **kw: redundancy_scores(model, batches, 'cosine', **kw),
    kl=lambda model, batches, **kw: redundancy_scores(model, batches, 'kl', **kw),
    joint=joint_scores,
    random=random_scores,
    magnitude=magnitude_scores,
)


def score_blocks(criterion: str, model, batches: Iterable[Dict] = (), **kwargs) -> Scores:
    """Scores of ``model``'s live blocks by ``criterion`` (cosine, kl, joint, random,
    magnitude)."""
    if criterion not in SCORERS:
        raise ValueError(f'unknown pruning criterion {criterion!r}; '
                         f'expected one of {list(SCORERS)}')
    return SCORERS[criterion](model, batches, **kwargs)
