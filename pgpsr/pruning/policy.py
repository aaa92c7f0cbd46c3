"""Which blocks a pruning stage removes, given scores (lower = remove first).

A stage names the parts it may touch and one way to size the cut:
``blocks`` (explicit names), ``num_blocks``, ``ratio`` (of the backbone's original
blocks), ``keep`` (blocks left per part: PGP-DiffSR's coarse stage keeps 1 encoder and
1 bottleneck block) or ``threshold`` (every block whose score is below it: the fine stage,
0.2 for cosine in the paper). A threshold per measure, ``threshold=dict(cosine=0.2,
kl=0.2)``, is PGP-DiffSR's joint rule: a block goes when Phi *and* Psi are both below
their thresholds (the ``joint`` criterion, whatever the stage's ``criterion``). Non-droppable blocks (shape-changing) are never chosen.
``exportable=True`` keeps the model exportable to its release format (a diffusers folder
for pretrained UNets): candidates become the removals that format can express
(``exportable.py``), an encoder unit together with its decoder mirror for instance.
"""
from typing import Dict, List, Sequence, Tuple

from pgpsr.utils.block_parts import PARTS
from .exportable import select_exportable
from .importance import scorer_class
from .measures import MEASURES

SIZE_KEYS = ('blocks', 'num_blocks', 'ratio', 'keep', 'threshold')


def check_stage(stage: Dict) -> None:
    """Reject a stage with unknown keys or not exactly one size key (names the key)."""
    allowed = {'at', 'parts', 'criterion', 'exportable', *SIZE_KEYS}
    unknown = set(stage) - allowed
    if unknown:
        raise KeyError(f'pruning stage {stage}: unknown key(s) {sorted(unknown)}; '
                       f'allowed: {sorted(allowed)}')
    given = [k for k in SIZE_KEYS if k in stage]
    if len(given) != 1:
        raise ValueError(f'pruning stage {stage}: give exactly one of {SIZE_KEYS}')
    threshold = stage.get('threshold')
    if isinstance(threshold, dict) and (not threshold or set(threshold) - set(MEASURES) or
                                        min(threshold.values()) <= 0):
        raise ValueError(f'pruning stage {stage}: a threshold per measure needs positive '
                         f'values for measures among {list(MEASURES)}')
    bad_parts = set(stage.get('parts', PARTS)) - set(PARTS)
    if bad_parts:
        raise ValueError(f'pruning stage {stage}: unknown parts {sorted(bad_parts)}')


def resolve_joint(stage: Dict, criterion: str) -> Tuple[Dict, str, Dict]:
    """``(stage, criterion, scorer kwargs)`` to score and select with: a threshold per
    measure becomes the ``joint`` criterion (scores normalised by their thresholds) and
    threshold 1; anything else is returned as given."""
    check_stage(stage)
    threshold = stage.get('threshold')
    if not isinstance(threshold, dict):
        return stage, criterion, {}
    return dict(stage, threshold=1.0), 'joint', dict(thresholds=dict(threshold))


def needs_calibration(stage: Dict, criterion: str) -> bool:
    """Whether scoring runs the model on calibration data (the redundancy measures)."""
    return isinstance(stage.get('threshold'), dict) or scorer_class(criterion).calibrated


def select_blocks(backbone, scores: Dict[str, float], stage: Dict,
                  original_count: int) -> List[str]:
    """Names of the live blocks the ``stage`` removes, most redundant first."""
    check_stage(stage)
    if stage.get('exportable'):
        return select_exportable(backbone, scores, stage, original_count)
    live = backbone.blocks()
    if 'blocks' in stage:
        names = list(stage['blocks'])
        unknown = [n for n in names if n not in live]
        if unknown:
            raise KeyError(f'pruning stage: blocks {unknown} are not live blocks of '
                           f'{type(backbone).__name__} ({list(live)})')
        return names
    parts: Sequence[str] = stage.get('parts', PARTS)
    cands = [n for n, (part, _) in live.items()
             if part in parts and backbone.is_droppable(n) and n in scores]
    cands.sort(key=lambda n: (scores[n], n))
    if 'threshold' in stage:
        return [n for n in cands if scores[n] < stage['threshold']]
    if 'keep' in stage:
        chosen = []
        for part in parts:
            in_part = [n for n, (p, _) in live.items() if p == part]
            removable = [n for n in cands if live[n][0] == part]
            chosen += removable[:max(0, len(in_part) - int(stage['keep']))]
        return sorted(chosen, key=lambda n: (scores[n], n))
    n = int(stage['num_blocks']) if 'num_blocks' in stage else \
        int(round(float(stage['ratio']) * original_count))
    return cands[:n]
