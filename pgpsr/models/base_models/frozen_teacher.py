"""The frozen teacher both distilling editors hold: one way to freeze it and keep it so.

AdcSR's teacher is part of the model it compresses (built from its config, loaded from
``teacher_ckpt``, in its checkpoints); PGPDiffSR's is attached for training only by
``ProgressivePruneHook`` (a snapshot of the unpruned model, outside the module tree, so
never in state dicts, optimizers or DDP). Where they live differs on purpose; how they
are frozen does not: no gradients, eval mode, and eval mode kept when the runner calls
``model.train()`` every iteration.
"""
from typing import List

from torch import nn


def freeze(module: nn.Module) -> nn.Module:
    """``module`` in eval mode with every parameter frozen (returned for chaining)."""
    return module.eval().requires_grad_(False)


class FrozenTeacherMixin:
    """``train()`` that leaves the editor's ``frozen_teachers()`` in eval mode."""

    def frozen_teachers(self) -> List[nn.Module]:
        raise NotImplementedError

    def train(self, mode: bool = True):
        super().train(mode)
        for teacher in self.frozen_teachers():
            teacher.eval()
        return self
