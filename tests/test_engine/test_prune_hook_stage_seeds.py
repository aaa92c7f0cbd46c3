"""ProgressivePruneHook's random baseline draws a fresh order at every stage, the same
for the same hook seed: checked on the recorded scores of two stages run in-process."""
from types import SimpleNamespace

from mmengine.logging import MMLogger, MessageHub

from pgpsr.engine.hooks.progressive_prune_hook import ProgressivePruneHook
from tests.test_pruning.conftest import build_model

STAGES = [dict(at=0, parts=['decoder'], num_blocks=1),
          dict(at=1, parts=['encoder'], num_blocks=1)]


def _history(seed):
    model = build_model()
    runner = SimpleNamespace(model=model, hooks=[], optim_wrapper=None,
                             logger=MMLogger.get_instance('prune_seed_test'),
                             message_hub=MessageHub.get_instance('prune_seed_test'))
    hook = ProgressivePruneHook(stages=STAGES, criterion='random', seed=seed,
                                measure_lr_size=(8, 8))
    hook._maybe_prune(runner, completed=1)
    assert hook.done == [0, 1]
    return hook.history


def test_each_stage_draws_its_own_random_order():
    first, second = _history(7)
    assert len(first['scores']) == 8 and len(second['scores']) == 7  # one block gone
    # a stream restarted with the same seed would give stage 1 the first 7 draws of stage 0
    order0, order1 = list(first['scores'].values()), list(second['scores'].values())
    assert order1 != order0[:len(order1)]
    # the blocks stage 1 shares with stage 0 are not scored alike either
    shared = [n for n in second['scores'] if n in first['scores']]
    assert [second['scores'][n] for n in shared] != [first['scores'][n] for n in shared]
    # reproducible from the hook's seed, and the seed matters
    assert _history(7) == [first, second]
    assert _history(8)[0]['scores'] != first['scores']
