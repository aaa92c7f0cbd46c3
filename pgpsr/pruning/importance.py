"""Block importance: PGP-DiffSR's redundancy, and the random / magnitude baselines.

Every scorer returns ``{block name: score}`` where a *lower* score means "remove first",
so the policy is the same whatever the criterion. Scorers are classes registered in
``PRUNE_SCORERS`` under the criterion's name (``criterion='cosine'`` in a config builds
``dict(type='cosine')``); each takes its own arguments explicitly, so a wrong one is a
TypeError at build, and is called as ``scorer(model, batches, seed)``.
"""
from typing import Dict, Iterable, Optional

import numpy as np
import torch

from pgpsr.registry import PRUNE_SCORERS
from .redundancy import analyse_redundancy, block_redundancy

Scores = Dict[str, float]


class BlockScorer:
    """Base of the scorers: ``calibrated`` ones run the model on calibration batches."""
    calibrated = False

    def __call__(self, model, batches: Iterable[Dict] = (), seed: int = 0) -> Scores:
        raise NotImplementedError


class _Redundancy(BlockScorer):
    """Measured redundancy of each live block under one measure (Phi or Psi).

    Args:
        num_steps: Sampling steps scored (default: the model's ``test_cfg.num_steps``).
    """
    calibrated = True
    measure = ''

    def __init__(self, num_steps: Optional[int] = None) -> None:
        self.num_steps = num_steps

    def __call__(self, model, batches: Iterable[Dict] = (), seed: int = 0) -> Scores:
        return block_redundancy(analyse_redundancy(model, batches, self.num_steps, seed),
                                self.measure)


@PRUNE_SCORERS.register_module(name='cosine')
class CosineScorer(_Redundancy):
    """Phi: cosine dissimilarity (PGP-DiffSR's first measure)."""
    measure = 'cosine'


@PRUNE_SCORERS.register_module(name='kl')
class KLScorer(_Redundancy):
    """Psi: KL divergence of channel softmaxes (PGP-DiffSR's second measure)."""
    measure = 'kl'


@PRUNE_SCORERS.register_module(name='joint')
class JointScorer(BlockScorer):
    """PGP-DiffSR's joint test of Phi and Psi from one calibration run: each block's
    measures divided by their thresholds, the larger kept. A score below 1 means *every*
    measure is below its threshold; ranking by it ranks by the less redundant measure.

    Args:
        thresholds: ``{measure: threshold}``, e.g. ``dict(cosine=0.2, kl=0.2)``.
        num_steps: As :class:`CosineScorer`.
    """
    calibrated = True

    def __init__(self, thresholds: Dict[str, float], num_steps: Optional[int] = None) -> None:
        if not thresholds:
            raise ValueError('JointScorer needs a threshold per measure, got none')
        self.thresholds, self.num_steps = dict(thresholds), num_steps

    def __call__(self, model, batches: Iterable[Dict] = (), seed: int = 0) -> Scores:
        table = analyse_redundancy(model, batches, self.num_steps, seed)
        per_measure = {m: block_redundancy(table, m) for m in self.thresholds}
        return {n: max(per_measure[m][n] / float(t) for m, t in self.thresholds.items())
                for n in table}


@PRUNE_SCORERS.register_module(name='random')
class RandomScorer(BlockScorer):
    """Baseline: a seeded random order (the same on every rank)."""

    def __call__(self, model, batches: Iterable[Dict] = (), seed: int = 0) -> Scores:
        names = list(model.backbone.blocks())
        rng = np.random.default_rng(seed)
        return dict(zip(names, rng.random(len(names)).tolist()))


@PRUNE_SCORERS.register_module(name='magnitude')
class MagnitudeScorer(BlockScorer):
    """Baseline: mean absolute weight of the block (small weights = unimportant); the
    seed is unused (the order is deterministic)."""

    def __call__(self, model, batches: Iterable[Dict] = (), seed: int = 0) -> Scores:
        out = {}
        for name, (_, module) in model.backbone.blocks().items():
            params = [p.detach().abs().flatten() for p in module.parameters() if p.dim() > 1]
            out[name] = float(torch.cat(params).float().mean()) if params else 0.0
        return out


def criteria() -> list:
    """The registered criterion names."""
    return sorted(PRUNE_SCORERS.module_dict)


def scorer_class(criterion: str) -> type:
    """The class registered as ``criterion`` (a ValueError naming the choices if none)."""
    if criterion not in PRUNE_SCORERS.module_dict:
        raise ValueError(f'unknown pruning criterion {criterion!r}; expected one of '
                         f'{criteria()}')
    return PRUNE_SCORERS.get(criterion)


def build_scorer(criterion: str, **scorer_args) -> BlockScorer:
    """The scorer registered as ``criterion``, built with its own arguments."""
    scorer_class(criterion)
    return PRUNE_SCORERS.build(dict(type=criterion, **scorer_args))


def score_blocks(criterion: str, model, batches: Iterable[Dict] = (), seed: int = 0,
                 **scorer_args) -> Scores:
    """Scores of ``model``'s live blocks by ``criterion`` (see :func:`criteria`);
    ``scorer_args`` go to the scorer's constructor (e.g. ``num_steps``, ``thresholds``)."""
    return build_scorer(criterion, **scorer_args)(model, batches, seed)
