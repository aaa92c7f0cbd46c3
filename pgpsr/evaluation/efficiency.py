"""Efficiency of SR models: parameters, MACs, latency and peak memory, on CPU or GPU.

Peak memory is the allocator's peak on CUDA, and on a CPU the growth of the process's
peak resident set over its level before the run (Linux: ``/proc/self/clear_refs`` resets
the peak). Latency is wall time around a synchronised call.
"""
import contextlib
import statistics
import time
from typing import Callable, Dict, List

import torch

PRECISIONS = dict(fp32=torch.float32, fp16=torch.float16, bf16=torch.bfloat16)


def _rss_kib(field: str) -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError(f'{field} not found in /proc/self/status')


def synchronize(device: torch.device) -> None:
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize(device)


def autocast(device: torch.device, precision: str):
    if precision not in PRECISIONS:
        raise ValueError(f'precision must be one of {list(PRECISIONS)}, got {precision!r}')
    if precision == 'fp32':
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=PRECISIONS[precision])


@torch.no_grad()
def peak_memory_mib(fn: Callable[[], object], device: torch.device) -> float:
    """Extra memory at the peak of one call, in MiB (see the module docstring)."""
    device = torch.device(device)
    if device.type == 'cuda':
        synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        fn()
        synchronize(device)
        return (torch.cuda.max_memory_allocated(device) - before) / 2 ** 20
    _release_free_heap()  # freed blocks stay resident; without this reuse hides the peak
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
    before = _rss_kib('VmRSS')
    fn()
    return (_rss_kib('VmHWM') - before) / 1024


def _release_free_heap() -> None:
    import ctypes
    import gc
    gc.collect()
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except OSError:  # not glibc: the peak may be under-reported
        pass


@torch.no_grad()
def time_once(fn: Callable[[], object], device: torch.device) -> float:
    synchronize(device)
    t = time.perf_counter()
    fn()
    synchronize(device)
    return time.perf_counter() - t


def summarise_times(times: List[float]) -> Dict[str, float]:
    return dict(median_s=statistics.median(times), min_s=min(times), max_s=max(times),
                runs=len(times))
