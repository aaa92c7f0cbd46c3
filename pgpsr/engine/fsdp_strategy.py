"""FSDP that runs where the processes are: CUDA devices, or the CPU with gloo.

mmengine's ``FSDPStrategy`` passes ``device_id=LOCAL_RANK`` (a CUDA device) to the
wrapper unconditionally. Without CUDA that fails before the first step, although torch's
FSDP itself shards, gathers and reduce-scatters on CPU tensors over gloo. This strategy
keeps mmengine's behaviour on GPUs and hands FSDP the CPU otherwise, so sharded training,
and pruning under it (``ProgressivePruneHook``), is exercised by the CPU test suite.

It also clips gradients by their global norm. mmengine's ``OptimWrapper`` applies
``clip_grad_norm_`` to the parameters it sees, which under FSDP are this rank's shards
(use_orig_params: empty views for most), so the norm logged is 0 and the clip per rank;
FSDP's own ``clip_grad_norm_`` reduces the norm over all shards. And it resumes the
optimizer: mmengine 0.10 calls ``FSDP.optim_state_dict_to_load(state, model, optim)``,
the argument order of torch < 2.1; torch 2.1+ takes ``(model, optim, state)``; and it
keeps the AMP loss scaler's state in checkpoints, which FSDP's conversion drops.

``wrap='blocks'`` makes every denoiser block (the backbone's ``block_table``) an FSDP
unit of its own. A size-based policy may instead wrap a container whose parts pgpsr
calls one by one (a diffusers UNet's embeddings, a VAE's ``encode``), bypassing the
unit's forward and so its all-gather.

Frozen parts (a VAE, a text encoder) are left out of sharding (``ignored_modules``):
every rank keeps them whole on its device, as DDP does, and FSDP's flat parameters then
never mix frozen and trainable tensors, which ``use_orig_params=False`` refuses.

Two defaults differ from mmengine's, both for checkpoints that resume exactly:
- ``state_dict_cfg='full'``: one consolidated checkpoint (rank 0 writes it), which
  test.py / infer.py read and which progressive pruning restarts from;
- ``use_orig_params=False``: with torch 2.14 on CPU/gloo, FSDP's full optimizer state
  dict under ``use_orig_params=True`` (mmengine's default) holds Adam's ``exp_avg_sq``
  in place of ``exp_avg`` (measured: the two tensors are equal in the saved file), so a
  resumed run diverges at its first step. (Frozen modules are left unsharded, below, so
  no unit mixes frozen and trainable parameters, which ``False`` would refuse.)
  Progressive pruning refuses ``True``.
"""
import os
from functools import partial

import torch
from mmengine._strategy import FSDPStrategy
from mmengine.logging import print_log
from mmengine.optim import BaseOptimWrapper, OptimWrapperDict
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

from pgpsr.registry import STRATEGIES


@STRATEGIES.register_module()
class DeviceFSDPStrategy(FSDPStrategy):
    """``FSDPStrategy`` with ``device_id`` set to the CPU when CUDA is absent, the global
    gradient-norm clip and torch 2's optimizer-state loading."""

    def __init__(self, *, wrap=None, state_dict_cfg='full', model_wrapper=None, **kwargs):
        if wrap not in (None, 'blocks'):
            raise ValueError(f"DeviceFSDPStrategy.wrap must be None or 'blocks', got {wrap!r}")
        self.wrap = wrap
        model_wrapper = dict(model_wrapper or {})
        model_wrapper.setdefault('type', 'MMFullyShardedDataParallel')
        model_wrapper.setdefault('use_orig_params', False)
        if not torch.cuda.is_available():
            model_wrapper.setdefault('device_id', torch.device('cpu'))
        super().__init__(state_dict_cfg=state_dict_cfg, model_wrapper=model_wrapper, **kwargs)

    def _wrap_model(self, model: torch.nn.Module):
        if self.wrap == 'blocks':
            self.model_wrapper['auto_wrap_policy'] = block_wrap_policy(model)
        if not self.model_wrapper['use_orig_params']:
            self.model_wrapper.setdefault('ignored_modules', frozen_modules(model))
        for module in self.model_wrapper.get('ignored_modules') or ():
            module.to(self.device)  # FSDP moves only what it shards
        wrapped = super()._wrap_model(model)
        if self.wrap == 'blocks':
            moved = repoint_block_views(wrapped)
            print_log(f"DeviceFSDPStrategy(wrap='blocks'): {len(FSDP.fsdp_modules(wrapped))} "
                      f'FSDP units, {moved} block-view references moved to them',
                      logger='current')
        return wrapped

    @property
    def device(self) -> torch.device:
        """This rank's device: the CPU without CUDA, else cuda:LOCAL_RANK."""
        if 'device_id' in self.model_wrapper:
            return torch.device(self.model_wrapper['device_id'])
        return torch.device('cuda', int(os.environ.get('LOCAL_RANK', 0)))

    def prepare(self, model, *, optim_wrapper=None, **kwargs):
        refuse_several_wrappers(optim_wrapper)  # before wrapping: fails fast, by name
        out = super().prepare(model, optim_wrapper=optim_wrapper, **kwargs)
        wrappers = getattr(self, 'optim_wrapper', None)
        refuse_several_wrappers(wrappers)  # a constructor may still have built several
        for wrapper in getattr(wrappers, 'optim_wrappers', {'': wrappers}).values():
            if getattr(wrapper, 'clip_grad_kwargs', None) and \
                    wrapper.clip_func is torch.nn.utils.clip_grad_norm_:
                wrapper.clip_func = self._global_clip
        return out

    def _global_clip(self, params, max_norm: float, norm_type: float = 2.0):
        return self.model.clip_grad_norm_(max_norm, norm_type)

    def optim_state_dict(self) -> dict:
        """FSDP's optimizer state dict, plus the AMP loss scaler's state, which FSDP's
        conversion drops (a resume would restart the fp16 scale at its initial value)."""
        state = super().optim_state_dict()
        scaler = getattr(self.optim_wrapper, 'loss_scaler', None)
        if scaler is not None:
            state['loss_scaler'] = scaler.state_dict()
        return state

    def load_optim_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        scaler = state_dict.pop('loss_scaler', None)
        state = FSDP.optim_state_dict_to_load(
            model=self.model, optim=self.optim_wrapper.optimizer, optim_state_dict=state_dict)
        if scaler is not None:
            state['loss_scaler'] = scaler  # AmpOptimWrapper.load_state_dict reads it
        self.optim_wrapper.load_state_dict(state)


def refuse_several_wrappers(optim_wrapper) -> None:
    """Raise on several optimizer wrappers, as a config (named sub-configs, e.g. AdcSR's
    generator/discriminator under ``MultiOptimWrapperConstructor``) or built (an
    ``OptimWrapperDict``): FSDP clips, saves and loads one optimizer over the whole
    model, and under ``use_orig_params=False`` the submodules' own parameters are gone
    once wrapped, so per-module optimizers would be built empty."""
    if isinstance(optim_wrapper, OptimWrapperDict):
        names = sorted(optim_wrapper.optim_wrappers)
    elif isinstance(optim_wrapper, dict) and 'optimizer' not in optim_wrapper:
        names = sorted(k for k, v in optim_wrapper.items()
                       if isinstance(v, (dict, BaseOptimWrapper)))
    else:
        return
    if len(names) > 1:
        raise ValueError('DeviceFSDPStrategy: one optimizer wrapper only (FSDP clips, '
                         f'saves and loads one optimizer over the whole model); got {names}')


def _block_modules(backbone) -> list:
    """The modules that make up the backbone's blocks, as they sit in its module tree. A
    block held as a view outside the tree (a diffusers UNet unit: references to a ResNet
    and a transformer) stands for its children that are in the tree."""
    in_tree = {id(m) for m in backbone.modules()}
    out = []
    for _, _, holder, idx in backbone.block_table():
        block = holder[idx]
        out += [block] if id(block) in in_tree else \
            [c for c in block.children() if id(c) in in_tree]
    return [m for m in out if next(m.parameters(), None) is not None]  # not dropped ones


def block_wrap_policy(model: torch.nn.Module):
    """FSDP auto-wrap policy: each module that makes up a block of ``model.backbone``."""
    from torch.distributed.fsdp.wrap import lambda_auto_wrap_policy
    backbone = getattr(model, 'backbone', None)
    if backbone is None or not hasattr(backbone, 'block_table'):
        raise TypeError(f"DeviceFSDPStrategy(wrap='blocks'): {type(model).__name__} has no "
                        'backbone with a block_table (a pgpsr denoiser)')
    blocks = {id(m) for m in _block_modules(backbone)}
    return partial(lambda_auto_wrap_policy, lambda_fn=lambda m: id(m) in blocks)


def repoint_block_views(wrapped: torch.nn.Module) -> int:
    """Point block views outside the module tree at the FSDP units that now wrap their
    children (a view that kept the bare child would run it on sharded, empty weights);
    returns how many references moved."""
    units = {id(u.module): u for u in FSDP.fsdp_modules(wrapped)}
    backbone = wrapped.module.backbone
    in_tree = {id(m) for m in backbone.modules()}
    moved = 0
    for _, _, holder, idx in backbone.block_table():
        view = holder[idx]
        if id(view) in in_tree:
            continue
        for name, child in list(view.named_children()):
            if id(child) in units:
                setattr(view, name, units[id(child)])
                moved += 1
    return moved


def frozen_modules(model: torch.nn.Module):
    """The largest submodules whose parameters are all frozen (each listed once)."""
    out, covered = [], set()
    for name, module in model.named_modules():
        if any(name.startswith(c + '.') for c in covered):
            continue
        params = list(module.parameters())
        if name and params and not any(p.requires_grad for p in params):
            out.append(module)
            covered.add(name)
    return out
