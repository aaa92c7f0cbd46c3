"""What the SR models, the adapter and the pruning code read from a backbone, declared once.

:class:`~.base.PrunableBackbone` implements it; anything else built as a backbone must
provide the same members. :func:`check_backbone` runs once where a model is assembled
(``PGPDiffSR.__init__``, ``ProgressivePruneHook.before_train``), so a missing member is a
build error that names it, not an AttributeError mid-training or a silent default.
"""
from typing import Dict, List, Optional, Protocol, Tuple, runtime_checkable

from pgpsr.utils.protocols import missing_members, protocol_members


@runtime_checkable
class Denoiser(Protocol):
    """``forward(x_t, t, cond)`` plus the block interface (see ``base.PrunableBackbone``)."""

    size_divisor: int  # input sides must be multiples of it; the SR models pad to it
    in_channels: int  # channels of x_t
    cond_channels: int  # channels of the condition concatenated to x_t (0: none)
    out_channels: int  # channels predicted
    dropped: List[str]  # removed blocks; they travel in the state dict

    def block_table(self) -> List[Tuple]: ...

    def blocks(self, include_dropped: bool = False) -> Dict: ...

    def drop_block(self, name: str) -> None: ...

    def is_droppable(self, name: str) -> bool: ...

    def export_refusal(self, dropped) -> Optional[str]: ...

    def block_widths(self) -> Dict[str, int]: ...

    def decoder_sites(self) -> List[str]: ...

    def observe_blocks(self, callback): ...

    def record_blocks(self, store: Dict, detach: bool = True): ...


MEMBERS = protocol_members(Denoiser)


def check_backbone(backbone, who: str) -> None:
    """Raise TypeError naming the members of :class:`Denoiser` that ``backbone`` lacks."""
    if isinstance(backbone, Denoiser):
        return
    missing = list(missing_members(backbone, Denoiser))
    raise TypeError(f'{who}: the backbone {type(backbone).__name__} lacks {missing} of the '
                    'backbone contract (pgpsr.models.backbones.contract.Denoiser); subclass '
                    'PrunableBackbone, which provides all but size_divisor, block_table and '
                    'the channel counts')
