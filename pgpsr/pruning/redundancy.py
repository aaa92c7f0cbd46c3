"""Collect redundancy scores of every block over a calibration set and the sampling steps.

For every block and every sampling step this accumulates, with both measures:
- ``io``: the block's input vs its output (the fine-stage criterion, used for decoder
  blocks: a block whose output barely differs from its input does little);
- ``adj``: the block's output at step k vs at step k-1 (the coarse-stage criterion,
  used for encoder and bottleneck blocks, whose features barely change across steps).
Features are reduced on the fly, so memory does not grow with steps or blocks. Where a
block's input and output differ in shape, ``io`` uses the substitute of
``pgpsr.pruning.measures.comparable`` and the table marks the block ``io_substitute``.
"""
from typing import Dict, Iterable, List, Optional

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.logging import print_log
from tqdm import tqdm

from .measures import MEASURES


class RedundancyRecorder:
    """Forward-hook accumulator of per-block, per-step measures (see module docstring)."""

    def __init__(self, backbone) -> None:
        self.backbone = backbone
        self.blocks = {n: part for n, (part, _) in backbone.blocks().items()}
        self.sums: Dict[tuple, float] = {}
        self.counts: Dict[tuple, int] = {}
        self._step: Dict[str, int] = {}
        self._prev: Dict[str, torch.Tensor] = {}
        self.substituted = set()

    def start_sequence(self) -> None:
        """Call before each sampling run: steps restart at 0 and no previous output."""
        self._step, self._prev = {}, {}

    def _add(self, key: tuple, values: torch.Tensor) -> None:
        self.sums[key] = self.sums.get(key, 0.0) + float(values.sum())
        self.counts[key] = self.counts.get(key, 0) + values.numel()

    def __call__(self, name: str, x: torch.Tensor, out: torch.Tensor) -> None:
        k = self._step.get(name, 0)
        self._step[name] = k + 1
        if x.shape != out.shape:
            self.substituted.add(name)
        for mname, fn in MEASURES.items():
            self._add((name, 'io', mname, k), fn(x, out))
            if name in self._prev:
                self._add((name, 'adj', mname, k), fn(self._prev[name], out))
        self._prev[name] = out.detach()

    def table(self) -> Dict[str, Dict]:
        """``{block: {part, io_cosine: [per step], io_kl, adj_cosine, adj_kl}}``."""
        steps = 1 + max((k[3] for k in self.sums), default=-1)
        out = {}
        for name, part in self.blocks.items():
            row = dict(part=part, io_substitute=name in self.substituted)
            for kind in ('io', 'adj'):
                for m in MEASURES:
                    row[f'{kind}_{m}'] = [
                        self.sums[(name, kind, m, s)] / self.counts[(name, kind, m, s)]
                        if (name, kind, m, s) in self.sums else float('nan')
                        for s in range(steps)]
            out[name] = row
        return out


@torch.no_grad()
def analyse_redundancy(model, batches: Iterable[Dict], num_steps: Optional[int] = None,
                       seed: int = 0) -> Dict[str, Dict]:
    """Run ``model.sample`` on each calibration batch while recording every block.

    Args:
        model: An unwrapped ``PGPDiffSR`` (anything with ``backbone``, ``data_preprocessor``
            and ``sample(lr, num_steps=, seed=)``).
        batches: Data batches as the data loader yields them.
        num_steps: Sampling steps (defaults to the model's ``test_cfg``).
    """
    was_training = model.training
    model.eval()
    rec = RedundancyRecorder(model.backbone)
    # each batch is a full sampling run: minutes at real size, so show where it is
    # (main process only; stderr, which pytest captures)
    bar = tqdm(batches, desc='pruning calibration', unit='batch', leave=False,
               disable=not is_main_process())
    try:
        with model.backbone.observe_blocks(rec):
            for batch in bar:
                data = model.data_preprocessor(batch, False)
                rec.start_sequence()
                model.sample(data['inputs'], num_steps=num_steps, seed=seed)
    finally:
        bar.close()
        model.train(was_training)
    return rec.table()


def block_redundancy(table: Dict[str, Dict], measure: str = 'cosine') -> Dict[str, float]:
    """One number per block, lower = more redundant: the adjacent-step measure for encoder
    and bottleneck blocks, input-vs-output for decoder blocks (PGP-DiffSR's coarse and
    fine criteria). With one sampling step there is no adjacent step: encoder and
    bottleneck blocks are then scored input vs output too, said in one log line."""
    if measure not in MEASURES:
        raise ValueError(f'unknown measure {measure!r}; expected one of {list(MEASURES)}')
    out, fell_back = {}, []
    for name, row in table.items():
        adj = [v for v in row[f'adj_{measure}'] if not np.isnan(v)]
        use_adj = row['part'] != 'decoder' and adj
        if row['part'] != 'decoder' and not adj:
            fell_back.append(name)
        vals: List[float] = adj if use_adj else row[f'io_{measure}']
        out[name] = float(np.mean(vals))
    if fell_back:
        print_log(f'pruning: one sampling step, so no adjacent steps to compare: the '
                  f'encoder and bottleneck blocks ({len(fell_back)}) are scored by their '
                  'input vs output, as decoder blocks are (PGP-DiffSR\'s coarse criterion '
                  'needs a multi-step sampler)', logger='current')
    return out
