"""The backbone contract that pruning, the adapter and new backbones plug into.

A prunable denoiser lists its blocks in order, each with a stable name and a part
(``encoder`` / ``bottleneck`` / ``decoder``). Dropping a block turns it into an identity
mapping at its position (skips and channel bookkeeping stay valid), and the list of
dropped blocks travels inside the state dict (``_extra_state``), so a pruned checkpoint
rebuilds its own architecture from the original config with no extra flags.
"""
import json
from collections import OrderedDict
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Tuple

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

PARTS = ('encoder', 'bottleneck', 'decoder')


def decode_extra_state(state) -> Dict:
    """The backbone's extra state (a JSON uint8 tensor, or an already decoded dict)."""
    if isinstance(state, torch.Tensor):
        return json.loads(bytes(state.cpu().tolist()).decode()) if state.numel() else {}
    return state or {}


class DroppedBlock(nn.Identity):
    """Placeholder left where a block was removed; it has no parameters."""

    def forward(self, x, *args, **kwargs):  # noqa: D102 - identity on the main input
        return x


class PrunableBackbone(nn.Module):
    """Base class of denoisers: ``forward(x_t, t, cond)`` plus the block interface.

    Subclasses keep their blocks in ``nn.ModuleList``s and implement
    :meth:`block_table` returning ``[(name, part, list, index), ...]`` in forward order.
    A block is *droppable* when its output has the shape of its main input.
    """

    def __init__(self) -> None:
        super().__init__()
        self.dropped: List[str] = []

    # ---- what subclasses provide -------------------------------------------------------
    def block_table(self) -> List[Tuple[str, str, nn.ModuleList, int]]:
        raise NotImplementedError

    def is_droppable(self, name: str) -> bool:  # pragma: no cover - overridden when needed
        return True

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
        if not self.is_droppable(name):
            raise ValueError(f'block {name!r} of {type(self).__name__} changes the feature '
                             'shape and cannot be dropped')
        holder, idx = table[name]
        holder[idx] = DroppedBlock()
        self.dropped.append(name)

    def run_block(self, block: nn.Module, *args) -> torch.Tensor:
        """Call ``block``, recomputing it in backward when ``self.grad_checkpointing``."""
        if getattr(self, 'grad_checkpointing', False) and self.training and \
                torch.is_grad_enabled():
            return checkpoint(block, *args, use_reentrant=False)
        return block(*args)

    def architecture(self) -> Dict:
        """The current architecture as plain data (printable, JSON-serialisable)."""
        parts = {p: [] for p in PARTS}
        for name, part, holder, idx in self.block_table():
            parts[part].append(dict(name=name, kept=name not in self.dropped,
                                    params=sum(p.numel() for p in holder[idx].parameters())))
        return dict(type=type(self).__name__, dropped=list(self.dropped),
                    params=sum(p.numel() for p in self.parameters()), parts=parts)

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
