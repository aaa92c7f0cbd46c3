"""ProgressivePruneHook: PGP-DiffSR's progressive block pruning inside mmengine training.

Stages run at scheduled iterations: score the live blocks (on a fixed calibration set,
over the sampling steps), remove the selected ones through the backbone contract, fix
the optimizer, the EMA copy and the DDP wrapper in place, and log params/MACs. Between
stages the model fine-tunes, optionally distilling from a frozen copy of the unpruned
model. The hook's state travels in checkpoints, and the pruned architecture in the
model's own state dict, so resume and ``load_from`` need no extra flags. Under FSDP a
stage boundary is a restart instead (see ``sharded_pruning``).
Ref: PGP-DiffSR (arXiv 2512.02681), Sec. 3; mmengine's EMAHook for the state handling.
"""
import copy
from itertools import islice
from typing import Dict, List, Optional, Sequence, Set

import torch
from mmengine.dist import broadcast_object_list, is_distributed
from mmengine.hooks import EMAHook, Hook
from mmengine.model import is_model_wrapper

from pgpsr.models.backbones.base import decode_extra_state
from pgpsr.models.backbones.contract import check_backbone
from pgpsr.pruning import check_stage, drop_blocks, prune_ema, prune_optimizer, prune_step
from pgpsr.pruning.policy import needs_calibration
from pgpsr.registry import HOOKS, MODELS
from pgpsr.utils.pretrained import load_weights_file
from pgpsr.utils.wrappers import unwrap
from .sharded_pruning import (check_strategy, filter_checkpoint, stop_for_restart,
                              strategy_kind, write_teacher)

STATE_KEY = 'progressive_prune'


def dropped_in_state_dict(state_dict: Dict, backbone_key: str = 'backbone') -> List[str]:
    """Dropped block names recorded in a checkpoint's model state dict (may be empty);
    ``backbone_key``: the pruned module's name in the model."""
    for key, value in state_dict.items():
        if key.endswith(f'{backbone_key}._extra_state') and not key.startswith('ema_'):
            return decode_extra_state(value).get('dropped', [])
    return []


def backbone_key(model) -> str:
    """Where the pruned backbone sits in ``model``'s state dict (``backbone`` in a
    PGPDiffSR, ``generator.unet`` for AdcSR's student); wrappers inside the model
    (``MMSeparateDistributedDataParallel``'s) add no ``module.`` there."""
    name = next(n for n, m in model.named_modules() if m is model.backbone)
    kept, module = [], model
    for part in name.split('.') if name else []:
        if not is_model_wrapper(module):
            kept.append(part)
        module = getattr(module, part)
    return '.'.join(kept)


def rank_zero_choice(names: List[str]) -> List[str]:
    """Rank 0's list on every rank (each rank scores its own calibration batches)."""
    if not is_distributed():
        return names
    box = [names]
    broadcast_object_list(box, src=0)
    return box[0]


def _data_source(loader_cfg) -> Optional[tuple]:
    ds = (loader_cfg or {}).get('dataset') or {}
    return (ds.get('type'), ds.get('data_root'), ds.get('gt_folder'), ds.get('lq_folder'),
            ds.get('ann_file')) if ds else None


def calibration_loader_cfg(cfg, calib_dataloader: Optional[Dict]) -> Dict:
    """The loader blocks are scored on: ``calib_dataloader``, else a fixed slice of the
    training data; refused when it reads the validation or test data."""
    if calib_dataloader is None:
        train = cfg.get('train_dataloader')
        if train is None:
            raise ValueError('ProgressivePruneHook needs calib_dataloader or a '
                             'train_dataloader to score blocks')
        calib_dataloader = dict(copy.deepcopy(train), num_workers=0, persistent_workers=False,
                                sampler=dict(type='DefaultSampler', shuffle=False))
    source = _data_source(calib_dataloader)
    for key in ('val_dataloader', 'test_dataloader'):
        if source is not None and source == _data_source(cfg.get(key)):
            raise ValueError(f'ProgressivePruneHook.calib_dataloader reads the same data as '
                             f'{key} ({source[1]}/{source[2] or ""}): pruning must be '
                             'calibrated on training data; drop calib_dataloader to use a '
                             'fixed slice of train_dataloader')
    return copy.deepcopy(calib_dataloader)


@HOOKS.register_module()
class ProgressivePruneHook(Hook):
    """Remove denoiser blocks progressively during training.

    Args:
        stages: Each ``dict(at=ITER, parts=[...], criterion=..., <size>)`` with one size
            key of ``blocks | num_blocks | ratio | keep | threshold`` (see
            ``pgpsr.pruning.policy``). ``at`` counts completed iterations (0: before
            training starts).
        criterion: Default scorer: ``cosine`` (Phi), ``kl`` (Psi), or the baselines
            ``random`` / ``magnitude``.
        calib_batches: Calibration batches from ``calib_dataloader`` used to score
            blocks. The default is a fixed slice of the *training* data (the training
            loader, unshuffled, no workers: the same samples every run); a loader that
            reads the validation or test data is refused, since selecting blocks on
            them would leak evaluation data into the model. calib_steps: sampling steps scored
            (default: the model's ``test_cfg.num_steps``).
        distill: ``dict(output=1.0, feature=0.0, teacher_checkpoint=None, dtype=None)``:
            distil from a frozen copy of the unpruned model (snapshot at the start of
            training, kept in ``work_dir/prune_teacher.pth``), or from
            ``teacher_checkpoint``; ``dtype='bfloat16'`` stores the teacher in bf16 (half
            its memory; it then runs under autocast). None: off.
        exportable: Default of each stage's ``exportable`` key: remove only what the
            backbone's release format can express, so the pruned model always exports
            (``DiffusersUNetDenoiser``: to a plain diffusers folder, an encoder unit
            together with a decoder unit reading its skip; see ``pgpsr.pruning.exportable``).
        measure_lr_size: LR size at which params/MACs are logged after each stage.
        seed: Seed of the random baseline and of sampling during scoring.
    """

    priority = 'ABOVE_NORMAL'  # prune before the checkpoint hook saves this iteration

    def __init__(self, stages: Sequence[Dict], criterion: str = 'cosine',
                 calib_batches: int = 2, calib_steps: Optional[int] = None,
                 calib_dataloader: Optional[Dict] = None, distill: Optional[Dict] = None,
                 measure_lr_size: Sequence[int] = (32, 32), seed: int = 0,
                 exportable: bool = False) -> None:
        self.stages = [dict(dict(exportable=exportable) if exportable else {}, **s)
                       for s in stages]
        for s in self.stages:
            check_stage(s)
            if 'at' not in s:
                raise KeyError(f'pruning stage {s}: missing the iteration key `at`')
        if sorted(s['at'] for s in self.stages) != [s['at'] for s in self.stages]:
            raise ValueError('pruning stages must be listed in the order of their `at`')
        self.criterion, self.seed = criterion, seed
        self.calib_batches, self.calib_steps = calib_batches, calib_steps
        self.calib_dataloader = calib_dataloader
        distill = dict(distill) if distill else None
        if distill:
            unknown = set(distill) - {'output', 'feature', 'teacher_checkpoint', 'dtype'}
            if unknown:
                raise KeyError(f'ProgressivePruneHook.distill: unknown keys {sorted(unknown)}')
            if distill.get('dtype') not in (None, 'float32', 'bfloat16', 'float16'):
                raise ValueError("ProgressivePruneHook.distill.dtype must be 'float32', "
                                 f"'bfloat16' or 'float16', got {distill['dtype']!r}")
        self.distill = distill
        self.measure_lr_size = tuple(measure_lr_size)
        self.done: List[int] = []
        self.history: List[Dict] = []
        self.teacher_path: Optional[str] = None
        self._calib = None
        # sharded strategies: set by sharded_pruning before the model is wrapped
        self.shaped_before_wrap = False
        self.removed_keys: Set[str] = set()
        self.restart_from: Optional[str] = None

    # ---- state in checkpoints ------------------------------------------------------------
    def before_save_checkpoint(self, runner, checkpoint: Dict) -> None:
        checkpoint[STATE_KEY] = dict(done=list(self.done), history=copy.deepcopy(self.history),
                                     teacher_path=self.teacher_path)

    def load_state(self, state: Dict) -> None:
        if state:
            self.done, self.history = list(state['done']), list(state['history'])
            self.teacher_path = state.get('teacher_path')

    def after_load_checkpoint(self, runner, checkpoint: Dict) -> None:
        # runs before the runner loads the weights and the optimizer state: shape the
        # model (and what refers to its parameters) like the checkpoint's
        if self.shaped_before_wrap:  # sharded: the model was shaped before wrapping
            filter_checkpoint(checkpoint, self.removed_keys, unwrap(runner.model))
            return
        if runner._resume:
            self.load_state(checkpoint.get(STATE_KEY))
        names = dropped_in_state_dict(checkpoint.get('state_dict', {}),
                                      backbone_key(unwrap(runner.model)))
        if names:
            self._apply(runner, names)

    # ---- schedule --------------------------------------------------------------------------
    def before_train(self, runner) -> None:
        strategy = getattr(runner, 'strategy', None)
        check_strategy(strategy)
        if strategy_kind(strategy) == 'restart' and not self.shaped_before_wrap:
            raise RuntimeError(
                f'ProgressivePruneHook under {type(strategy).__name__} prunes between runs '
                'and must shape the model before it is wrapped: train with tools/train.py '
                '(pgpsr.apis.train), not FlexibleRunner.train() directly')
        check_backbone(unwrap(runner.model).backbone, 'ProgressivePruneHook')
        if self.distill:
            self._attach_teacher(runner)
        self._maybe_prune(runner, completed=runner.iter)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        completed = runner.iter + 1
        if self.shaped_before_wrap:
            if self.restart_from is None and self._due(completed):
                stop_for_restart(self, runner, completed)
            return
        self._maybe_prune(runner, completed)

    def _due(self, completed: int) -> List[int]:
        return [i for i, s in enumerate(self.stages) if i not in self.done and s['at'] <= completed]

    def _maybe_prune(self, runner, completed: int) -> None:
        for i in self._due(completed):
            self._run_stage(runner, i, self.stages[i], completed)

    run_due_stages = _maybe_prune  # sharded_pruning calls it on the plain model

    def _run_stage(self, runner, index: int, stage: Dict, completed: int) -> None:
        model = unwrap(runner.model)
        criterion = stage.get('criterion', self.criterion)
        batches = self._calibration(runner) if needs_calibration(stage, criterion) else ()
        result = prune_step(model, stage, batches, criterion, num_steps=self.calib_steps,
                            seed=self.seed * 1000 + index, lr_size=self.measure_lr_size,
                            agree=rank_zero_choice)
        if isinstance(stage.get('threshold'), dict):  # the joint rule, with its thresholds
            criterion = f"joint {stage['threshold']}"
        self._rewire(runner, result['removed'])
        names, scores = result.pop('removed'), result.pop('scores')
        record = dict(stage=index, iter=completed, criterion=criterion, removed=names,
                      scores={n: round(v, 6) for n, v in scores.items()}, **result)
        self.history.append(record)
        self.done.append(index)
        runner.logger.info(
            f'ProgressivePruneHook stage {index} at iter {completed} ({criterion}): removed '
            f'{names}; params {result["params"]:,}, denoiser step MACs '
            f'{result["step_macs"]:,} at LR {self.measure_lr_size}')
        for key in ('params', 'step_macs'):
            runner.message_hub.update_scalar(f'prune/{key}', result[key])

    # ---- surgery on everything that holds the model's parameters ---------------------------
    def _apply(self, runner, names: List[str]) -> None:
        self._rewire(runner, drop_blocks(unwrap(runner.model), names))

    def _rewire(self, runner, removed: List[str]) -> None:
        """After ``removed`` left the model: drop them from the EMA copy, forget their
        optimizer state and wrap the smaller model in DDP again."""
        if not removed:
            return
        model = unwrap(runner.model)
        for hook in runner.hooks:
            if isinstance(hook, EMAHook) and hasattr(hook, 'ema_model'):
                prune_ema(hook.ema_model, removed)
        optim = getattr(runner, 'optim_wrapper', None)
        if optim is not None and not isinstance(optim, dict):
            for wrapper in getattr(optim, 'optim_wrappers', {'': optim}).values():
                prune_optimizer(wrapper.optimizer, model)
        if is_model_wrapper(runner.model):
            # DDP registered the old parameter set: wrap the smaller model again
            runner.model = (runner.wrap_model(runner.cfg.get('model_wrapper_cfg'), model)
                            if hasattr(runner, 'wrap_model')  # Runner; else FlexibleRunner
                            else runner.strategy._wrap_model(model))

    def _calibration(self, runner) -> List[Dict]:
        if self._calib is None:
            cfg = calibration_loader_cfg(runner.cfg, self.calib_dataloader)
            loader = runner.build_dataloader(cfg, seed=self.seed)
            self._calib = list(islice(iter(loader), self.calib_batches))
        return self._calib

    # ---- the frozen teacher ------------------------------------------------------------------
    def _attach_teacher(self, runner) -> None:
        model = unwrap(runner.model)
        path = self.distill.get('teacher_checkpoint') or self.teacher_path
        if path is None and model.backbone.dropped:
            raise RuntimeError('ProgressivePruneHook.distill: the model is already pruned and '
                               'no teacher is known; set distill.teacher_checkpoint')
        if path is None:  # snapshot the unpruned model now
            teacher = copy.deepcopy(model)
            path = write_teacher(teacher, runner.work_dir)
        else:
            teacher = MODELS.build(copy.deepcopy(runner.cfg.model)).to(
                next(model.parameters()).device)
            teacher.load_state_dict(load_weights_file(path, 'distill.teacher_checkpoint',
                                                      training_checkpoint=True))
        self.teacher_path = path
        if self.distill.get('dtype'):  # weights stored in it; run under autocast
            teacher.to(getattr(torch, self.distill['dtype']))
        model.set_teacher(teacher, self.distill.get('output', 1.0),
                          self.distill.get('feature', 0.0))
