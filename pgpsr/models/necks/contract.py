"""What PGPDiffSR requires of a neck, declared once and checked at build.

Two kinds. An *output* neck is any module called as ``neck(pred, cond)`` on the
backbone's prediction. An *in-backbone* neck (the phase-exchange adapter) acts inside the
backbone's forward: :class:`InBackboneNeck` is sized to the backbone once (``attach``)
and then wraps every denoiser call (``run``). A neck with only one of the two is neither,
and is refused by name rather than silently used as an output neck.
"""
from typing import Protocol, runtime_checkable

from pgpsr.utils.protocols import missing_members, protocol_members


@runtime_checkable
class InBackboneNeck(Protocol):
    def attach(self, backbone) -> None:
        """Size the neck's units to ``backbone``'s sites (called once, at build)."""

    def run(self, backbone, x_t, t, cond):
        """``backbone(x_t, t, cond)`` with the neck acting inside it."""


def acts_in_backbone(neck, who: str) -> bool:
    """True for an :class:`InBackboneNeck`, False for an output neck; a neck with part of
    the in-backbone members is refused, naming the missing ones."""
    missing = missing_members(neck, InBackboneNeck)
    if missing and len(missing) < len(protocol_members(InBackboneNeck)):
        raise TypeError(f'{who}: the neck {type(neck).__name__} has part of the in-backbone '
                        f'neck contract (pgpsr.models.necks.contract.InBackboneNeck) but lacks '
                        f'{list(missing)}')
    return not missing
