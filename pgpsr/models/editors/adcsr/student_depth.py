"""The composed student's depth budget (PGP∘AdcSR): denoiser blocks removed before the
teacher's denoiser is sliced to the student's widths.

PGP-DiffSR removes whole blocks that change the features least; AdcSR narrows every
layer. Composed blocks-first, the student is sliced from a copy of the teacher's denoiser
with blocks removed, either named in the config (``removed_blocks``: the teacher's own
weights in the blocks that stay) or taken from a block-removal run (``block_source``: a
PGP-DiffSR checkpoint on the teacher's architecture, e.g. ``configs/pgp_adcsr/``'s
block stage, whose fine-tuned backbone and recorded removals the student starts from).
The removals go through the backbone's block contract, so a block that changes the
width, or (for a diffusers UNet) a set that diffusers could not express, is refused with
the block's name.
"""
import copy
from typing import Optional, Sequence

from torch import nn

from pgpsr.models.backbones import DiffusersUNetDenoiser
from pgpsr.utils.pretrained import load_weights_file


def _refused(why: str) -> ValueError:
    return ValueError(f'AdcSR.removed_blocks: {why}')


def depth_source(teacher, removed_blocks: Optional[Sequence[str]] = None,
                 block_source: Optional[str] = None) -> Optional[nn.Module]:
    """A copy of ``teacher.backbone`` with the student's blocks removed (None when the
    student keeps the teacher's depth): ``removed_blocks`` from the teacher's weights, or
    the backbone of the ``block_source`` checkpoint (its removals are recorded in it)."""
    if removed_blocks and block_source:
        raise ValueError('AdcSR: set removed_blocks or block_source, not both (a block '
                         'source checkpoint records the blocks it removed)')
    if not removed_blocks and not block_source:
        return None
    source = copy.deepcopy(teacher.backbone)
    if block_source:
        state = load_weights_file(block_source, 'AdcSR.block_source', 'backbone.',
                                  training_checkpoint=True)
        source.load_state_dict(state, strict=True)  # its extra state drops the blocks first
        if not source.dropped:
            raise ValueError(f'AdcSR.block_source: {block_source} removed no block (a '
                             'checkpoint of the block stage is expected)')
    for name in removed_blocks or []:
        try:
            source.drop_block(name)
        except (KeyError, ValueError) as exc:
            raise _refused(exc.args[0]) from exc
    if isinstance(source, DiffusersUNetDenoiser):  # rebuilt by diffusers: must export
        why = source.export_refusal(source.dropped)
        if why:
            raise _refused(f'removing {source.dropped} leaves a UNet diffusers cannot '
                           f'express: {why}')
    return source
