"""Imported by training configs of the DDP pruning test (``custom_imports``): a scorer
whose ranking differs by rank, and a hook that writes each rank's removed blocks."""
import json
import os.path as osp

from mmengine.dist import get_rank
from mmengine.hooks import Hook

from pgpsr.pruning import BlockScorer
from pgpsr.registry import HOOKS, PRUNE_SCORERS
from pgpsr.utils.wrappers import unwrap


@PRUNE_SCORERS.register_module(name='rank_skewed')
class RankSkewedScorer(BlockScorer):
    """Rank 0 ranks the blocks first-to-last, every other rank last-to-first: without
    agreement the ranks would remove different blocks."""

    def __call__(self, model, batches=(), seed: int = 0):
        names = list(model.backbone.blocks())
        sign = 1 if get_rank() == 0 else -1
        return {n: sign * float(i) for i, n in enumerate(names)}


@HOOKS.register_module()
class DroppedBlocksPerRank(Hook):
    """After training, every rank writes ``dropped_rank{r}.json`` (its model's dropped
    blocks and parameter count) into the work dir."""

    priority = 'LOWEST'

    def after_train(self, runner) -> None:
        model = unwrap(runner.model)
        out = dict(dropped=list(model.backbone.dropped),
                   params=sum(p.numel() for p in model.parameters()))
        with open(osp.join(runner.work_dir, f'dropped_rank{get_rank()}.json'), 'w') as f:
            json.dump(out, f)
