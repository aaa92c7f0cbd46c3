"""The backbone contract that pruning, the adapter and new backbones plug into.

A prunable denoiser lists its blocks in order, each with a stable name and a part
(``encoder`` / ``bottleneck`` / ``decoder``). Dropping a block turns it into an identity
mapping at its position (skips and channel bookkeeping stay valid), and the list of
dropped blocks travels inside the state dict (``_extra_state``), so a pruned checkpoint
rebuilds its own architecture from the original config with no extra flags.
"""
import abc
import json
from collections import OrderedDict
from contextlib import contextmanager
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from pgpsr.utils.block_parts import PARTS  # noqa: F401 (re-exported: part of the contract)
from pgpsr.utils.op_counter import count_params


def decode_extra_state(state) -> Dict:
    """The backbone's extra state (a JSON uint8 tensor, or an already decoded dict)."""
    if isinstance(state, torch.Tensor):
        return json.loads(bytes(state.cpu().tolist()).decode()) if state.numel() else {}
    return state or {}


def checkpoint_keeping_hooks(module: nn.Module, *args) -> torch.Tensor:
    """``module(*args)`` with its forward recomputed in backward, its hooks run outside.

    Hooks that observers attach for one forward only (the adapter, feature recording) are
    gone when backward recomputes the block; run inside the checkpoint they would make the
    recomputation differ from the forward. Outside it they run once, as without
    checkpointing. (Plain hooks only: with_kwargs and global hooks are not used here.)
    """
    for pre in list(module._forward_pre_hooks.values()):
        res = pre(module, args)
        if res is not None:
            args = res if isinstance(res, tuple) else (res,)
    out = checkpoint(module.forward, *args, use_reentrant=False)
    for post in list(module._forward_hooks.values()):
        res = post(module, args, out)
        if res is not None:
            out = res
    return out


BlockRow = Tuple[str, str, nn.ModuleList, int]


def part_rows(part: str, holder: nn.ModuleList, name: Callable[[int], str]) -> List[BlockRow]:
    """``block_table`` rows of one part: (``name(i)``, part, holder, i) for every index."""
    return [(name(i), part, holder, i) for i in range(len(holder))]


class DroppedBlock(nn.Identity):
    """Placeholder left where a block was removed; it has no parameters."""

    def forward(self, x, *args, **kwargs):  # noqa: D102 - identity on the main input
        return x


class PrunableBackbone(nn.Module, metaclass=abc.ABCMeta):
    """Base class of denoisers: ``forward(x_t, t, cond)`` plus the block interface.

    Subclasses keep their blocks in ``nn.ModuleList``s and must declare (abstract: a class
    missing one fails at build, naming it) :attr:`size_divisor` and :meth:`block_table`
    returning ``[(name, part, list, index), ...]`` in forward order; they also set
    ``in_channels`` / ``cond_channels`` / ``out_channels``, which ``PGPDiffSR`` checks
    against its codec (the rest of ``contract.Denoiser`` is implemented here).
    A block is *droppable* when its output has the shape of its main input.
    """

    in_channels: int  # channels of x_t
    cond_channels: int  # channels of the condition concatenated to x_t (0: none)
    out_channels: int  # channels predicted
    grad_checkpointing: bool = False  # recompute blocks in backward (run_block)

    def __new__(cls, *args, **kwargs):
        # ABCMeta's own error does not say what the members are for
        missing = sorted(cls.__abstractmethods__)
        if missing:
            raise TypeError(f'{cls.__name__} does not declare {", ".join(missing)}, required '
                            'of every PrunableBackbone: size_divisor is the factor its input '
                            'sides must be a multiple of (1: any size; the SR models pad to '
                            'it), block_table lists its prunable blocks')
        return super().__new__(cls)

    def __init__(self) -> None:
        super().__init__()
        self.dropped: List[str] = []

    # ---- what subclasses provide -------------------------------------------------------
    @property
    @abc.abstractmethod
    def size_divisor(self) -> int:
        """Input sides must be multiples of this (a class attribute or a property)."""

    @abc.abstractmethod
    def block_table(self) -> List[Tuple[str, str, nn.ModuleList, int]]:
        """``(name, part, holder, index)`` of every block, in forward order."""

    def is_droppable(self, name: str) -> bool:  # pragma: no cover - overridden when needed
        return True

    def drop_refusal(self, name: str) -> Optional[str]:
        """Why block ``name`` cannot be dropped (None when it can)."""
        if self.is_droppable(name):
            return None
        return 'it changes the feature shape, so an identity cannot stand in for it'

    def export_refusal(self, dropped: Iterable[str]) -> Optional[str]:
        """Why the backbone with ``dropped`` removed could not be exported to its release
        format (None when it could); what ``exportable=True`` pruning stays within."""
        return f'{type(self).__name__} has no export format to stay exportable to'

    def block_widths(self) -> Dict[str, int]:
        """Output channels of each block (what ``PhaseExchangeAdapter(channels='auto')``
        sizes itself from)."""
        raise NotImplementedError(f'{type(self).__name__} does not report its block widths; '
                                  'give the adapter explicit channels')

    def decoder_sites(self) -> List[str]:
        """Names of the decoder positions that adapters attach after (default: every
        decoder block; backbones with nested blocks list only the outer ones)."""
        return [n for n, part, _, _ in self.block_table() if part == 'decoder']

    # ---- the contract --------------------------------------------------------------------
    def blocks(self, include_dropped: bool = False) -> 'OrderedDict[str, Tuple[str, nn.Module]]':
        """Ordered ``name -> (part, module)`` of the backbone's prunable blocks."""
        out = OrderedDict()
        for name, part, holder, idx in self.block_table():
            if include_dropped or name not in self.dropped:
                out[name] = (part, holder[idx])
        return out

    def drop_block(self, name: str) -> None:
        """Remove block ``name``: its parameters are freed and it becomes an identity."""
        table = {n: (holder, idx) for n, _, holder, idx in self.block_table()}
        if name not in table:
            raise KeyError(f'{type(self).__name__} has no block named {name!r}; '
                           f'blocks are {list(table)}')
        if name in self.dropped:
            return
        why = self.drop_refusal(name)
        if why:
            raise ValueError(f'block {name!r} of {type(self).__name__} cannot be dropped: {why}')
        holder, idx = table[name]
        holder[idx] = DroppedBlock()
        self.dropped.append(name)

    def run_block(self, block: nn.Module, *args) -> torch.Tensor:
        """Call ``block``, recomputing it in backward when ``self.grad_checkpointing``."""
        if self.grad_checkpointing and self.training and torch.is_grad_enabled():
            return checkpoint_keeping_hooks(block, *args)
        return block(*args)

    def architecture(self) -> Dict:
        """The current architecture as plain data (printable, JSON-serialisable)."""
        parts = {p: [] for p in PARTS}
        for name, part, holder, idx in self.block_table():
            parts[part].append(dict(name=name, kept=name not in self.dropped,
                                    params=count_params(holder[idx])))
        return dict(type=type(self).__name__, dropped=list(self.dropped),
                    params=count_params(self), parts=parts)

    @contextmanager
    def observe_blocks(self, callback: Callable[[str, torch.Tensor, torch.Tensor], None]
                       ) -> Iterator[None]:
        """Call ``callback(name, input, output)`` after every live block while active."""
        handles = []
        for name, (_, module) in self.blocks().items():
            def hook(mod, args, output, name=name):
                callback(name, args[0], output)
            handles.append(module.register_forward_hook(hook))
        try:
            yield
        finally:
            for h in handles:
                h.remove()

    def record_blocks(self, store: Dict[str, List[Tuple[torch.Tensor, torch.Tensor]]],
                      detach: bool = True):
        """Record each live block's (input, output) into ``store[name]`` while active."""
        def keep(name, x, out):
            store.setdefault(name, []).append((x.detach(), out.detach()) if detach else (x, out))
        return self.observe_blocks(keep)

    # ---- the pruned architecture travels in the state dict ---------------------------------
    # Encoded as a uint8 tensor (JSON), because mmengine broadcasts state dicts as tensors.
    def get_extra_state(self) -> torch.Tensor:
        data = json.dumps(dict(dropped=list(self.dropped))).encode()
        return torch.tensor(list(data), dtype=torch.uint8)

    def set_extra_state(self, state) -> None:
        # Called before child modules are loaded, so the dropped blocks' (absent) weights
        # are never expected.
        for name in decode_extra_state(state).get('dropped', []):
            self.drop_block(name)

    def extra_repr(self) -> str:
        return f'dropped={self.dropped}' if self.dropped else ''
