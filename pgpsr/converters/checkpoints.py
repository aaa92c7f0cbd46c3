"""Shipping a training checkpoint: keep what inference needs (weights + provenance).

The optimizer, schedulers and message hub go; the model state dict stays (a pruned
architecture travels inside it) and ``meta`` records the iteration, the pruning history
and a SHA-256 of the weights. Written atomically (a kill leaves the old file or none).
"""
import hashlib
import io
import os
from typing import Optional, Sequence

import torch


def strip_checkpoint(src: str, dst: str, ema: bool = False,
                     keep: Optional[Sequence[str]] = None) -> str:
    """Write the inference-only copy of ``src`` to ``dst``; ``ema``: the EMA weights
    instead of the raw ones; ``keep``: only keys under these prefixes (e.g. an AdcSR
    student, ``generator.``). Returns a one-line summary; raises ValueError on misuse."""
    if os.path.abspath(src) == os.path.abspath(dst):
        raise ValueError('the output must differ from the input')
    ckpt = torch.load(src, map_location='cpu', weights_only=False)
    if ema:
        if 'ema_state_dict' not in ckpt:
            raise ValueError(f'{src} has no EMA weights')
        state = {k[len('module.'):]: v for k, v in ckpt['ema_state_dict'].items()
                 if k.startswith('module.')}
    else:
        state = ckpt['state_dict']
    if keep:
        state = {k: v for k, v in state.items() if k.startswith(tuple(keep))}
        if not state:
            raise ValueError(f'{src} has no weights under {list(keep)}')
    buf = io.BytesIO()
    torch.save(state, buf)
    meta = dict(iter=ckpt.get('meta', {}).get('iter'), source=os.path.basename(src),
                weights_sha256=hashlib.sha256(buf.getvalue()).hexdigest(),
                progressive_prune=ckpt.get('progressive_prune'))
    tmp = dst + '.part'
    torch.save(dict(state_dict=state, meta=meta), tmp)
    os.replace(tmp, dst)
    return f'{dst}: {os.path.getsize(dst) / 2 ** 20:.1f} MiB, {len(state)} tensors'
