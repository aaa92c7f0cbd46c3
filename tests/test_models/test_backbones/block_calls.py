"""What the grad-checkpointing tests of every backbone share: count a block's forward
calls and an adapter-style hook's calls through a forward with every block recorded."""
from typing import Callable, Dict, Tuple

import torch


def forward_with_counted_block(model, block: str, run: Callable
                               ) -> Tuple[Dict[str, int], Dict, torch.Tensor]:
    """Run ``run(model)`` with a hook on ``block`` (removed after the forward, as the
    adapter does) and every block recorded; the hook and the block's forward must fire
    exactly once. Returns the live call counts (the backward adds recomputations), the
    recordings and the output."""
    unit = model.blocks()[block][1]
    calls = dict(hook=0, forward=0)
    forward = unit.forward

    def counted_forward(*args):
        calls['forward'] += 1
        return forward(*args)

    def hook(m, a, o):
        calls['hook'] += 1
        return o * torch.sigmoid(o)
    unit.forward = counted_forward
    store: Dict = {}
    handle = unit.register_forward_hook(hook)
    with model.record_blocks(store, detach=False):
        out = run(model)
    handle.remove()
    assert calls == dict(hook=1, forward=1), f'after the forward: {calls}'
    return calls, store, out
