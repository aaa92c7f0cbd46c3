"""Block selection that keeps the pruned model exportable (a stage's ``exportable=True``).

Some removals only export together: a diffusers UNet loses an encoder ResNet only with a
decoder ResNet that reads its skip, and SDXL's mid transformer only with a layer of the
last down block's first transformer (``backbone.export_refusal`` says why a set fails).
So the candidates are single blocks and pairs of blocks, and one is taken only when the
model with everything chosen so far plus it still exports; the result is exportable by
construction. A pair scores as its *less* redundant member (the max: nothing goes only
because its partner is redundant). The stage's ``parts`` say which blocks drive a
removal; a pair's partner may lie in another part (an encoder unit's decoder mirror).
"""
from itertools import combinations
from typing import Dict, List, Sequence, Set, Tuple

from pgpsr.utils.block_parts import PARTS


def _refuse(backbone, stage: Dict, why: str) -> ValueError:
    return ValueError(f'pruning stage {stage} (exportable=True) on {type(backbone).__name__}: '
                      f'{why}')


def _covered(name: str, chosen: Set[str]) -> bool:
    """``name`` is chosen, or is a transformer layer of a chosen unit."""
    return name in chosen or ('.attn.' in name and name.split('.attn.')[0] in chosen)


def _fits(group: Tuple[str, ...], chosen: List[str], stage: Dict, live: Dict,
          budget: int, room: Dict[str, int], parts: Sequence[str]) -> bool:
    """The stage's size rule allows ``group`` on top of ``chosen``."""
    if 'keep' in stage:
        need: Dict[str, int] = {}
        for n in group:
            if live[n][0] in parts:
                need[live[n][0]] = need.get(live[n][0], 0) + 1
        return all(room[p] >= k for p, k in need.items())
    return 'threshold' in stage or len(chosen) + len(group) <= budget


def select_exportable(backbone, scores: Dict[str, float], stage: Dict,
                      original_count: int) -> List[str]:
    """Names the ``stage`` removes such that ``backbone`` still exports afterwards.

    Raises:
        ValueError: the backbone has no export format or does not export before the stage, or
            an explicit ``blocks`` list would leave it not exportable (with the reason).
    """
    base = set(backbone.dropped)
    why = backbone.export_refusal(base)
    if why:
        raise _refuse(backbone, stage, f'the model does not export even before this stage: {why}')
    live = backbone.blocks()
    if 'blocks' in stage:
        why = backbone.export_refusal(base | set(stage['blocks']))
        if why:
            raise _refuse(backbone, stage, f'removing {list(stage["blocks"])} leaves a model '
                                           f'that does not export: {why}')
        return list(stage['blocks'])
    parts = stage.get('parts', PARTS)
    names = [n for n in live if backbone.is_droppable(n) and n in scores]
    groups = [(n,) for n in names] + list(combinations(names, 2))
    groups = [g for g in groups if any(live[n][0] in parts for n in g)]
    score = {g: max(scores[n] for n in g) for g in groups}
    groups.sort(key=lambda g: (score[g], len(g), g))
    budget = (int(stage['num_blocks']) if 'num_blocks' in stage else
              int(round(float(stage.get('ratio', 0)) * original_count)))
    room = {p: max(0, sum(v[0] == p for v in live.values()) - int(stage.get('keep', 0)))
            for p in parts}
    chosen: List[str] = []
    while True:  # take the most redundant group that fits and keeps the model exportable
        for g in groups:
            if 'threshold' in stage and score[g] >= stage['threshold']:
                return chosen
            if any(_covered(n, set(chosen)) for n in g) or \
                    not _fits(g, chosen, stage, live, budget, room, parts):
                continue
            if backbone.export_refusal(base | set(chosen) | set(g)) is None:
                chosen += list(g)
                for n in g:
                    if live[n][0] in room:
                        room[live[n][0]] -= 1
                break
        else:
            return chosen
