"""Run a list of degradation steps on a whole batch at once (CPU or GPU)."""
from typing import Dict, List, Sequence, Union

import numpy as np
import torch

from pgpsr.registry import TRANSFORMS
from .base import DegradationStep


def build_steps(steps: Sequence[Union[Dict, DegradationStep]]) -> List[DegradationStep]:
    """Build the steps of a degradation config, rejecting anything that is not a step."""
    built = [TRANSFORMS.build(s) if isinstance(s, dict) else s for s in steps]
    for s in built:
        if not isinstance(s, DegradationStep):
            raise TypeError(f'{type(s).__name__} is not a degradation step; a batched '
                            f'degradation accepts only subclasses of DegradationStep')
    return built


def degrade_batch(gt: torch.Tensor, steps: Sequence[DegradationStep],
                  rng: np.random.Generator, gen: torch.Generator) -> torch.Tensor:
    """Degrade ``gt`` (Bx3xHxW in [0, 1]) with per-sample parameters.

    Parameters come from ``rng`` (the same sampling code as the per-image transforms);
    noise fields from ``gen``, which must live on ``gt``'s device. Resize steps share
    one draw per batch because they change the shape (Real-ESRGAN does the same).
    """
    gt_hw = tuple(gt.shape[-2:])
    x = gt.float()
    for step in steps:
        x = step.run_batch(x, gt_hw, rng, gen)
    return x
