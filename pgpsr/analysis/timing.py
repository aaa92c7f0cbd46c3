"""Side-by-side timing: the one round-robin loop and the one report schema of every
benchmark here (benchmark.py, adcsr_real_size.py, pretrained_step.py).

Models are timed in turns, round by round, so machine noise (another process, thermal
throttling) hits all of them alike; a ratio of two medians from one run is then worth
more than either median. Every measured thing is reported with the same keys:

- ``params``, ``macs``: counts (where the caller has them);
- ``latency``: ``dict(median_s, min_s, max_s, runs)`` of the timed rounds;
- ``peak_mem_mib``: extra memory at the peak of one call, after the warm-up (CUDA
  allocator peak; on a CPU the growth of the process's peak resident set);
- ``ratio``: each of those over the reference entry's (latency: the medians), rounded
  to 4 decimals; the reference's own ratios are 1.
"""
import gc
from typing import Callable, Dict, Hashable, Iterable, Mapping, Optional

import torch

from pgpsr.evaluation.efficiency import peak_memory_mib, summarise_times, time_once

RATIO_KEYS = ('params', 'macs', 'latency', 'peak_mem_mib')


def side_by_side(calls: Mapping[Hashable, Callable[[], object]], device='cpu',
                 repeats: int = 5, warmup: int = 1,
                 peak: Optional[Iterable[Hashable]] = None) -> Dict[Hashable, Dict]:
    """Time ``calls`` round-robin and measure their peak memory.

    Args:
        calls: name -> a call without arguments (it sets its own precision).
        repeats: Timed rounds (0: no latency). warmup: Untimed rounds first.
        peak: The names whose peak memory is measured (default: all).

    Returns:
        name -> ``dict(latency=..., peak_mem_mib=...)`` (each only where measured).
    """
    device = torch.device(device)
    for _ in range(warmup):
        for f in calls.values():
            f()
    out = {k: {} for k in calls}
    for k in (calls if peak is None else peak):
        gc.collect()
        out[k]['peak_mem_mib'] = peak_memory_mib(calls[k], device)
    times = {k: [] for k in calls}
    for _ in range(repeats):  # round-robin: the same noise for every call
        for k, f in calls.items():
            gc.collect()  # outside the timed call: no collection of another's garbage
            times[k].append(time_once(f, device))
    for k, t in times.items():
        if t:
            out[k]['latency'] = summarise_times(t)
    return out


def value(row: Dict, key: str) -> Optional[float]:
    """The number a ratio is taken of: ``latency`` by its median."""
    v = row.get(key)
    return v['median_s'] if isinstance(v, dict) else v


def add_ratios(rows: Iterable[Dict], reference: Dict, keys: Iterable[str] = RATIO_KEYS) -> None:
    """Set ``row['ratio']`` of every row: its numbers over ``reference``'s."""
    keys = tuple(keys)
    for row in rows:
        row['ratio'] = {k: round(value(row, k) / value(reference, k), 4) for k in keys
                        if value(row, k) is not None and value(reference, k)}
