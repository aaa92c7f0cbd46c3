"""The exponential moving average of an FSDP-wrapped model: every rank averages its shards.

mmengine's ``EMAHook`` deep-copies ``runner.model.module``; under FSDP that module's
parameters are flattened and sharded across the ranks, and FlexibleRunner loads a
checkpoint before ``before_run``, where the hook would build its copy, so a resume has
nowhere to put the averages. This hook keeps, beside each trainable flat parameter, the
average of this rank's shard (a 1/world_size share of a full EMA copy per rank) and
writes and reads checkpoints in ``EMAHook``'s format: ``state_dict`` holds the averaged
weights (what tools/test.py and tools/infer.py load), ``ema_state_dict`` the training
weights under ``module.`` and ``steps``. The arithmetic is mmengine's
``ExponentialMovingAverage``: the first update copies, then every ``interval``-th one
computes ``avg = (1 - momentum) * avg + momentum * weight``; before ``begin_iter`` the
averages follow the weights. Frozen parameters (FSDP's ignored modules) are not
averaged: the average of a constant is that constant. Buffers follow the model
(``update_buffers=False``, EMAHook's default). A DDP run with ``EMAHook`` and an FSDP run
with this hook, pruned between restarts, agree (tests/test_engine/test_sharded_pruning.py).
"""
from typing import Dict, List, Optional

import torch
from mmengine.hooks import Hook
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

from pgpsr.registry import HOOKS


@HOOKS.register_module()
class ShardedEMAHook(Hook):
    """``EMAHook(ema_type='ExponentialMovingAverage')`` for FSDP-wrapped models."""

    # before ProgressivePruneHook (ABOVE_NORMAL), which may write a stage's restart
    # checkpoint in its after_train_iter: that checkpoint holds this iteration's averages
    priority = 'HIGH'

    def __init__(self, momentum: float = 0.0002, interval: int = 1, begin_iter: int = 0,
                 update_buffers: bool = False):
        if not 0.0 < momentum < 1.0:
            raise ValueError(f'ShardedEMAHook.momentum must be in (0, 1), got {momentum}')
        if update_buffers:
            raise ValueError('ShardedEMAHook: update_buffers=True is not supported (buffers '
                             'are not sharded; they follow the model, as under EMAHook\'s '
                             'default)')
        self.momentum, self.interval, self.begin_iter = momentum, interval, begin_iter
        self.steps = 0
        self.averages: Optional[List[torch.Tensor]] = None
        self._resumed_ema: Optional[Dict] = None  # the checkpoint's, until before_train

    @staticmethod
    def _shards(runner) -> List[torch.Tensor]:
        return [p for p in runner.model.parameters() if p.requires_grad]

    def before_train(self, runner) -> None:
        """Start (or resume) the averages. Training only: a test or validation run
        evaluates the checkpoint's ``state_dict``, which already holds the averages."""
        check_runner(self, runner)
        shards = self._shards(runner)
        if self._resumed_ema is None:  # a fresh run or load_from: start at the weights
            self.averages = [p.detach().clone() for p in shards]
            return
        # the resumed averages arrive as a full state dict: let FSDP shard them through
        # the model, keep this rank's shards, then put the training weights back
        weights = [t.detach().clone() for t in (*shards, *runner.model.buffers())]
        runner.strategy.load_model_state_dict(model_entries(self._resumed_ema))
        self.averages = [p.detach().clone() for p in shards]
        for t, w in zip((*shards, *runner.model.buffers()), weights):
            t.data.copy_(w)
        self._resumed_ema = None

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        shards = self._shards(runner)
        started = runner.iter + 1 >= self.begin_iter
        with torch.no_grad():
            if not started or self.steps == 0:
                for avg, p in zip(self.averages, shards):
                    avg.copy_(p)
            elif self.steps % self.interval == 0:
                for avg, p in zip(self.averages, shards):
                    avg.lerp_(p, self.momentum)
        if started:
            self.steps += 1

    def _swap(self, runner) -> None:
        if self.averages is None:  # not training: the model already holds the averages
            return
        drop_gathered_weights(runner.model)
        with torch.no_grad():
            for avg, p in zip(self.averages, self._shards(runner)):
                weight = p.detach().clone()
                p.copy_(avg)
                avg.copy_(weight)

    # the model holds the averages while it is validated or tested, as under EMAHook
    def before_val_epoch(self, runner) -> None:
        self._swap(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._swap(runner)

    def before_test_epoch(self, runner) -> None:
        self._swap(runner)

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._swap(runner)

    def before_save_checkpoint(self, runner, checkpoint: Dict) -> None:
        """EMAHook's layout: the averages as ``state_dict``, the weights in
        ``ema_state_dict``. Gathering the averages is collective: every rank calls it;
        only rank 0 holds the full dicts (``state_dict_cfg='full'``)."""
        if self.averages is None:  # not training: nothing averaged to write
            return
        weights = checkpoint['state_dict']
        self._swap(runner)
        try:
            averaged = runner.strategy.model_state_dict()
        finally:
            self._swap(runner)
        checkpoint['state_dict'] = averaged
        checkpoint['ema_state_dict'] = {'steps': torch.tensor(self.steps),
                                        **{'module.' + k: v for k, v in weights.items()}}

    def after_load_checkpoint(self, runner, checkpoint: Dict) -> None:
        """On resume, give the model its weights back from ``ema_state_dict`` and keep
        the averages for ``before_train`` (FlexibleRunner loads checkpoints before
        ``before_run``, where EMAHook would build its copy)."""
        ema = checkpoint.get('ema_state_dict')
        if ema is None or not runner._resume:
            return  # load_from: the averages start at the loaded weights, as EMAHook's
        state = checkpoint['state_dict']
        for key in [k for k in ema if k.startswith('module.')]:
            state[key[len('module.'):]], ema[key] = ema[key], state[key[len('module.'):]]
        self.steps = int(ema['steps'])
        self._resumed_ema = ema


def model_entries(ema_state: Dict) -> Dict:
    """The model's state held in an ``ema_state_dict`` (its ``module.`` entries)."""
    return {k[len('module.'):]: v for k, v in ema_state.items() if k.startswith('module.')}


def check_runner(hook: ShardedEMAHook, runner) -> None:
    """Refuse, before the first step, what would average or save the wrong weights."""
    from .progressive_prune_hook import ProgressivePruneHook
    why = None
    if not isinstance(runner.model, FSDP):
        raise TypeError('ShardedEMAHook averages the shards of an FSDP-wrapped model (got '
                        f"{type(runner.model).__name__}); under DDP or on one device use "
                        "mmengine's EMAHook")
    if not runner.strategy._is_full_state_dict():
        why = ("keep the strategy's state_dict_cfg='full': the checkpoint carries the "
               'averages as one consolidated state dict')
    elif hook.begin_iter > runner.max_iters:
        why = f'begin_iter ({hook.begin_iter}) is past max_iters ({runner.max_iters})'
    else:
        order = [h for h in runner.hooks if h is hook or isinstance(h, ProgressivePruneHook)]
        if order and order[0] is not hook:
            why = ('it must run before ProgressivePruneHook, which writes a stage\'s restart '
                   "checkpoint in its after_train_iter: leave the hook's priority unset "
                   "(EMAHook recipes set priority=49; this hook's default is 'HIGH')")
    if why:
        raise ValueError(f'ShardedEMAHook: {why}')


def drop_gathered_weights(model) -> None:
    """Free the full weights FSDP still holds gathered. FSDP1 keeps a root unit's gathered
    parameters after a forward without backward (validation) and reuses them in the next
    forward and in ``state_dict()``; after the shards change in place (the swaps here)
    those would be stale: measured on 2 ranks, the first training step after a
    validation ran on the averages. Freed, the next forward gathers the shards as they
    are. (torch's own reshard step, a private API: the 2-rank test validates mid-run.)"""
    from torch.distributed.fsdp._runtime_utils import _reshard
    for unit in FSDP.fsdp_modules(model):
        handle = unit._handle
        if handle is not None and handle.uses_sharded_strategy and not handle.needs_unshard():
            _reshard(unit, handle, True)
