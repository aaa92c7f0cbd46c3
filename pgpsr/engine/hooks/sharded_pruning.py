"""Progressive pruning under sharded strategies (FSDP): every stage boundary is a restart.

FSDP flattens and shards the parameters when it wraps the model, so no block can leave a
wrapped model. Instead, at a stage's iteration ``ProgressivePruneHook`` saves a
consolidated checkpoint (the strategy's full state dict) and stops the loop, and
``pgpsr.apis.training.train`` builds a fresh runner that resumes from it. Before that
runner wraps the model, ``shape_before_wrap`` loads the checkpoint into the plain model,
runs the stages now due on it (scored and agreed across ranks exactly as under DDP) and
drops their blocks; while the runner then loads the checkpoint, ``filter_checkpoint``
removes the dropped blocks' entries from its model and optimizer state. The step counter,
the data order, the RNG buffers and the optimizer moments of the kept parameters continue
exactly, as an uninterrupted DDP run's would.
"""
import io
import os.path as osp
from typing import Dict, Optional, Set, Tuple

import torch
from mmengine.dist import barrier, get_rank
from mmengine.hooks import CheckpointHook, EMAHook
from mmengine.runner import IterBasedTrainLoop, find_latest_checkpoint

from ..atomic_backend import atomic_write_bytes
from ..fsdp_strategy import DeviceFSDPStrategy
from .sharded_ema_hook import model_entries

PRUNABLE_IN_PLACE = ('SingleDeviceStrategy', 'DDPStrategy')
RESTARTABLE = ('FSDPStrategy',)


def strategy_kind(strategy) -> str:
    """``'in_place'`` (Runner, single device, DDP), ``'restart'`` (FSDP: prune between
    runs) or ``'refused'`` (DeepSpeed / ColossalAI: their engines own the optimizer and
    are not rebuilt here)."""
    if strategy is None:
        return 'in_place'
    names = [c.__name__ for c in type(strategy).__mro__]
    if names[0] in PRUNABLE_IN_PLACE:
        return 'in_place'
    return 'restart' if any(n in RESTARTABLE for n in names) else 'refused'


def check_strategy(strategy) -> None:
    """Refuse strategies whose wrapped state cannot be rebuilt around a smaller model."""
    if strategy_kind(strategy) == 'refused':
        raise RuntimeError(
            f'ProgressivePruneHook cannot run under {type(strategy).__name__}: it removes '
            'blocks while training; pgpsr rebuilds the model between runs only under '
            f'{" / ".join(PRUNABLE_IN_PLACE + RESTARTABLE)}. Prune with one of those (or '
            'one-shot with tools/prune.py), then fine-tune the pruned checkpoint here')


def start_checkpoint(runner) -> Tuple[Optional[str], bool]:
    """The checkpoint this runner will load and whether it resumes (mmengine's own
    ``load_or_resume`` order)."""
    resume, load_from = runner._resume, runner._load_from
    if isinstance(resume, str):
        return resume, True
    if resume:
        path = load_from or find_latest_checkpoint(runner.work_dir)
        if path:
            return path, True
    return load_from, False


def write_teacher(model, work_dir: str) -> str:
    """The unpruned model's weights as ``work_dir/prune_teacher.pth`` (rank 0, atomically:
    a kill mid-write leaves no half teacher); returns the path."""
    path = osp.join(work_dir, 'prune_teacher.pth')
    if get_rank() == 0:
        buffer = io.BytesIO()
        torch.save(model.state_dict(), buffer)
        atomic_write_bytes(buffer.getvalue(), path)
    return path


def shape_before_wrap(hook, runner) -> None:
    """Build the plain model, load the start checkpoint into it and run every stage due
    by its iteration, all before the strategy shards it."""
    from .progressive_prune_hook import STATE_KEY
    for h in runner.hooks:
        if isinstance(h, EMAHook):
            raise RuntimeError("ProgressivePruneHook under a sharded strategy: mmengine's "
                               'EMAHook copies a sharded module; use ShardedEMAHook (same '
                               'momentum / interval / begin_iter, same checkpoint format)')
    model = runner.model = runner.strategy.build_model(runner.model)
    path, resuming = start_checkpoint(runner)
    completed = 0
    if path:  # memory-mapped: each rank reads the weights, not the optimizer state
        ckpt = torch.load(path, map_location='cpu', weights_only=False, mmap=True)
        model.load_state_dict(training_weights(ckpt, resuming), strict=False)
        if resuming:
            hook.load_state(ckpt.get(STATE_KEY) or {})
            completed = int(ckpt['meta']['iter'])
        del ckpt
    model.to(runner.strategy.device)  # score on the rank's device; FSDP shards from there
    before = set(model.state_dict())
    if hook.distill and not hook.distill.get('teacher_checkpoint') \
            and hook.teacher_path is None and not model.backbone.dropped:
        # the teacher is the unpruned model at the start of training (as under DDP):
        # written now, built from the file by every rank in before_train
        hook.teacher_path = write_teacher(model, runner.work_dir)
        barrier()
    hook.run_due_stages(runner, completed)
    hook.removed_keys = before - set(model.state_dict())
    hook.shaped_before_wrap = True


def training_weights(checkpoint: Dict, resuming: bool) -> Dict:
    """The weights training continues from: on resume, those in ``ema_state_dict`` when
    an EMA hook saved the checkpoint (its ``state_dict`` then holds the averages)."""
    ema = checkpoint.get('ema_state_dict')
    return model_entries(ema) if resuming and ema else checkpoint['state_dict']


def filter_checkpoint(checkpoint: Dict, removed_keys: Set[str], model) -> None:
    """Remove the dropped blocks' entries from a consolidated checkpoint (model state,
    the EMA hook's copy, FSDP's name-keyed full optimizer state) and record the model's
    drops in it."""
    for name, prefix in (('state_dict', ''), ('ema_state_dict', 'module.')):
        state = checkpoint.get(name) or {}
        for key in removed_keys:
            state.pop(prefix + key, None)
        for key in state:
            if key.startswith(prefix) and key.endswith('backbone._extra_state') \
                    and not key.startswith('ema_'):
                state[key] = model.backbone.get_extra_state()
    optim = checkpoint.get('optimizer')
    if optim and 'param_groups' in optim:
        for key in removed_keys:
            optim.get('state', {}).pop(key, None)
        for group in optim['param_groups']:
            group['params'] = [p for p in group['params'] if p not in removed_keys]


def _checkpoint_hook(runner) -> CheckpointHook:
    for h in runner.hooks:
        if isinstance(h, CheckpointHook):
            return h
    raise RuntimeError('ProgressivePruneHook under a sharded strategy restarts from the '
                       "CheckpointHook's checkpoints; keep default_hooks.checkpoint")


def stop_for_restart(hook, runner, completed: int) -> None:
    """End this run at ``completed`` iterations with its consolidated checkpoint saved by
    the CheckpointHook (atomically, ``last_checkpoint`` updated; by this hook's call when
    the interval does not save it anyway); the next run resumes from it with the due
    stages applied before wrapping. The unpruned model is not validated at this
    iteration (under DDP the pruned one would be; here it is first seen after the
    restart)."""
    ckpt = _checkpoint_hook(runner)
    if not ckpt.every_n_train_iters(runner, ckpt.interval, ckpt.save_begin):
        ckpt._save_checkpoint(runner)
    hook.restart_from = osp.join(ckpt.out_dir, ckpt.filename_tmpl.format(completed))
    runner.train_loop.stop_training = True
    runner.train_loop.val_begin = float('inf')
    runner.logger.info(f'ProgressivePruneHook: pruning stage due at iter {completed} under '
                       f'{type(runner.strategy).__name__}: saving {hook.restart_from}, '
                       'restarting from it with the blocks removed before sharding')


def restart_checkpoint(runner) -> Optional[str]:
    """The checkpoint a finished ``runner.train()`` asks the next run to resume from."""
    for h in runner.hooks:
        path = getattr(h, 'restart_from', None)
        if path:
            return path
    return None


def check_restartable(hook, runner) -> None:
    """Refuse, before any training, what the restarts cannot continue exactly."""
    strategy, why = runner.strategy, None
    if not isinstance(strategy, DeviceFSDPStrategy):
        why = ("use type='DeviceFSDPStrategy' (mmengine's FSDPStrategy wants a CUDA device, "
               'saves per-rank checkpoints by default and loads optimizer state in the '
               'torch < 2.1 argument order)')
    elif not strategy._is_full_state_dict():
        why = "keep state_dict_cfg='full' (a consolidated checkpoint is what restarts load)"
    elif strategy.model_wrapper.get('use_orig_params'):
        why = ('keep model_wrapper.use_orig_params=False (under True the saved optimizer '
               'state is corrupted: see pgpsr/engine/fsdp_strategy.py)')
    elif not isinstance(runner.train_loop, IterBasedTrainLoop):
        why = 'train by iterations (IterBasedTrainLoop): a stage stops the loop mid-epoch'
    else:
        last = [s['at'] for s in hook.stages if s['at'] >= runner.train_loop.max_iters]
        if last:
            why = (f'a stage at iteration {last[0]} >= max_iters ({runner.train_loop.max_iters}) '
                   'would restart only to end untrained; move it earlier')
    if why:
        raise ValueError(f'ProgressivePruneHook under {type(strategy).__name__}: {why}')
    _checkpoint_hook(runner)


def prepare_runner(runner) -> None:
    """Shape the model before a sharded strategy wraps it, when a prune hook runs."""
    from .progressive_prune_hook import ProgressivePruneHook
    strategy = getattr(runner, 'strategy', None)
    if strategy_kind(strategy) != 'restart':
        return
    for h in runner.hooks:
        if isinstance(h, ProgressivePruneHook):
            check_strategy(strategy)
            check_restartable(h, runner)
            shape_before_wrap(h, runner)
