"""Merging LoRA weights into their base layers, without peft.

A LoRA on a layer with weight W adds ``scale * B(A(x))``: for a Linear, A is r x in and
B out x r, so the merged weight is ``W + scale * B @ A``; for a Conv2d, A is a conv with
the layer's kernel (r x in x kh x kw) and B a 1x1 conv (out x r), so the merged kernel
is ``W + scale * einsum('or,rihw->oihw', B, A)``. peft's default scale is
``lora_alpha / r`` with ``lora_alpha = 8``. Keys follow peft's naming inside diffusers
models (``<module>.lora_A.<adapter>.weight``, the frozen base as
``<module>.base_layer.weight``), as OSEDiff's release stores them.
"""
import re
from typing import Dict, List, Tuple

import torch

PEFT_DEFAULT_ALPHA = 8.0
_LORA_KEY = re.compile(r'^(?P<module>.+)\.lora_(?P<ab>[AB])\.(?P<adapter>[^.]+)\.weight$')


def lora_pairs(lora_state: Dict[str, torch.Tensor]
               ) -> Dict[Tuple[str, str], Tuple[torch.Tensor, torch.Tensor]]:
    """``{(module, adapter): (A, B)}`` of every complete LoRA in ``lora_state``."""
    found: Dict[Tuple[str, str], Dict[str, torch.Tensor]] = {}
    for key, value in lora_state.items():
        m = _LORA_KEY.match(key)
        if m:
            found.setdefault((m['module'], m['adapter']), {})[m['ab']] = value
    incomplete = [k for k, v in found.items() if set(v) != {'A', 'B'}]
    if incomplete:
        raise KeyError(f'LoRA weights without their A or B half: {incomplete[:5]}')
    return {k: (v['A'], v['B']) for k, v in found.items()}


def lora_delta(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The weight update ``B @ A`` of one LoRA (Linear or Conv2d shapes)."""
    a, b = a.double(), b.double()
    if a.dim() == 2:
        return b @ a
    if a.dim() == 4 and b.shape[-2:] == (1, 1):
        return torch.einsum('or,rihw->oihw', b.flatten(1), a)
    raise ValueError(f'unsupported LoRA shapes A {tuple(a.shape)}, B {tuple(b.shape)}')


def base_key(key: str) -> str:
    """``x.base_layer.weight`` (peft's name for a wrapped layer) -> ``x.weight``."""
    return key.replace('.base_layer.', '.')


def merge_lora(state: Dict[str, torch.Tensor], lora_state: Dict[str, torch.Tensor],
               scale: float) -> List[str]:
    """Add every LoRA of ``lora_state`` into ``state`` (a plain model state dict), in
    place; returns the merged module names. Non-LoRA tensors of ``lora_state`` are not
    touched here (see ``plain_tensors``)."""
    merged = []
    for (module, adapter), (a, b) in sorted(lora_pairs(lora_state).items()):
        key = f'{module}.weight'
        if key not in state:
            raise KeyError(f'LoRA {module!r} ({adapter}) has no base weight {key!r} in the '
                           f'model: is this release for another architecture?')
        delta = lora_delta(a, b)
        if delta.shape != state[key].shape:
            raise ValueError(f'LoRA {module!r}: update {tuple(delta.shape)} does not fit '
                             f'the weight {tuple(state[key].shape)}')
        state[key] = (state[key].double() + scale * delta).to(state[key].dtype)
        merged.append(module)
    return merged


def plain_tensors(lora_state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """The release's full tensors (not LoRA halves), under the plain model's keys."""
    return {base_key(k): v for k, v in lora_state.items() if not _LORA_KEY.match(k)}
