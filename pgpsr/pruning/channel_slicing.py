"""Uniform channel pruning by slicing: a narrower copy of a network that keeps the first
``ratio`` of every layer's channels, initialised from the wide one's weights.

Used by AdcSR (the student's denoiser at 75% and decoder at 50% width). Works on any
module built from a config whose widths can be scaled: build the narrow module from
:func:`scale_widths` of the config, then :func:`slice_weights` into it. Scaling the
GroupNorm group count by the same ratio keeps channels-per-group fixed, so the kept
channels are exactly the teacher's first groups. Layers that read a concatenation
(UNet skips) declare their parts through ``concat_inputs()`` and are sliced per part.
"""
from typing import Dict, Iterable, Optional, Sequence, Tuple

import torch
from torch import nn


def _scale(value, ratio: float, key: str):
    if isinstance(value, (list, tuple)):
        return type(value)(_scale(v, ratio, key) for v in value)
    scaled = value * ratio
    if abs(scaled - round(scaled)) > 1e-6 or round(scaled) < 1:
        raise ValueError(f'channel ratio {ratio} does not divide {key}={value} into whole '
                         'channels; choose a ratio that does')
    return int(round(scaled))


def scale_widths(cfg: Dict, ratios: Dict[str, float]) -> Dict:
    """Copy of ``cfg`` with each ``key`` in ``ratios`` multiplied (ints or int lists)."""
    cfg = dict(cfg)
    for key, ratio in ratios.items():
        if key not in cfg:
            raise KeyError(f'scale_widths: {key!r} is not in the config {sorted(cfg)}')
        cfg[key] = _scale(cfg[key], ratio, key)
    return cfg


def _leading(src: torch.Tensor, shape: Sequence[int],
             parts: Optional[Tuple[Tuple[int, ...], Tuple[int, ...]]], dim: int) -> torch.Tensor:
    """Leading slice of ``src`` to ``shape``; along ``dim`` per concatenated part."""
    if parts is not None:
        src_parts, dst_parts = parts
        chunks = torch.split(src, list(src_parts), dim=dim)
        src = torch.cat([c.narrow(dim, 0, n) for c, n in zip(chunks, dst_parts)], dim=dim)
    for d, n in enumerate(shape):
        if n > src.shape[d]:
            raise ValueError(f'cannot slice {tuple(src.shape)} up to {tuple(shape)}')
        src = src.narrow(d, 0, n)
    return src


def slice_weights(dst: nn.Module, src: nn.Module, skip: Iterable[str] = (),
                  concat_inputs: Optional[Tuple[Dict, Dict]] = None) -> Dict[str, str]:
    """Copy into every parameter/buffer of ``dst`` the leading slice of ``src``'s one of the
    same name. ``concat_inputs`` gives (src, dst) parts for modules that cannot declare
    them (third-party networks). Returns ``{name: reason}`` for entries left as
    initialised (absent in ``src``, a name in ``skip``, or a ``src`` tensor smaller than
    ``dst``'s)."""
    src_state = src.state_dict()
    src_parts, dst_parts = concat_inputs or (getattr(src, 'concat_inputs', dict)(),
                                             getattr(dst, 'concat_inputs', dict)())
    left = {}
    with torch.no_grad():
        for name, t in dst.state_dict(keep_vars=True).items():
            if any(name == s or name.startswith(s + '.') for s in skip):
                left[name] = 'skipped'
                continue
            if name not in src_state or not isinstance(t, torch.Tensor) or \
                    src_state[name].dim() != t.dim():
                left[name] = 'not in the source'
                continue
            parts = ((src_parts[name], dst_parts[name])
                     if name in src_parts and name in dst_parts else None)
            # conv/linear weights read their input along dim 1; norms and biases along 0
            dim = 1 if t.dim() > 1 else 0
            try:
                t.copy_(_leading(src_state[name], t.shape, parts, dim))
            except ValueError as exc:
                left[name] = str(exc)
    return left
