"""Params, MACs, latency and peak memory of SR models, side by side in one run.

For each model: a full super-resolution of one LR image (every sampling step, codec,
tiling as configured) and one denoiser step. Timed runs alternate between the models
round by round so machine noise hits all of them; the median, min and max are reported,
with ratios to the first model. Pruned checkpoints load with their original config.
Parameters are those of what runs at test time (AdcSR: the student, not its teacher or
discriminator). On the meta device params and MACs of real-size configs are counted
without allocating their weights (no checkpoint, no timing). Used by
tools/analysis_tools/benchmark.py, results_table.py and tools/demo.py.
"""
import os.path as osp
from typing import Dict, Sequence

import cv2
import torch
from skimage import data

from pgpsr.evaluation.efficiency import autocast, peak_memory_mib, summarise_times, time_once
from pgpsr.pruning import count_params
from pgpsr.utils.op_counter import count_macs
from .inference import init_model


def lr_image(h: int, w: int, device) -> torch.Tensor:
    """A real photo (scikit-image's astronaut) resized to the LR size, in [-1, 1]."""
    if torch.device(device).type == 'meta':
        return torch.zeros(1, 3, h, w, device='meta')
    img = cv2.resize(data.astronaut(), (w, h), interpolation=cv2.INTER_AREA)
    return (torch.from_numpy(img).permute(2, 0, 1)[None].float() / 127.5 - 1).to(device)


class Entry:
    """One model under test and the two calls measured on it."""

    def __init__(self, config: str, checkpoint, device, precision: str, lr: torch.Tensor):
        self.name = osp.splitext(osp.basename(config))[0] + (
            f' ({osp.basename(checkpoint)})' if checkpoint else '')
        if device.type == 'meta':
            if checkpoint:
                raise ValueError('the meta device counts the architecture only: give no '
                                 'checkpoint')
            self.model = build_on_meta(config)
        else:
            self.model = init_model(config, checkpoint, device)
        self.precision, self.device, self.lr = precision, device, lr
        self.cond = None

    def full(self):
        with autocast(self.device, self.precision):
            if hasattr(self.model, 'sample_any_size'):
                return self.model.sample_any_size(self.lr)
            return self.model(self.lr)

    def has_step(self) -> bool:
        return hasattr(self.model, 'denoise')

    def step(self):
        with autocast(self.device, self.precision):
            if self.cond is None:
                self.cond = self.model.encode_condition(self.model.pad_lr(self.lr))
            t = torch.full((1,), 999, device=self.cond.device, dtype=torch.long)
            return self.model.denoise(self.cond, t, self.cond)


def build_on_meta(config: str):
    from pgpsr.registry import MODELS
    from .runner_setup import load_config, prepare_environment
    cfg = load_config(config)
    prepare_environment(cfg, 'none')
    with torch.device('meta'):
        return MODELS.build(cfg.model).eval()


def deployed_params(model) -> int:
    return count_params(model.inference_module() if hasattr(model, 'inference_module')
                        else model)


def run(models: Sequence[Sequence[str]], lr_size: Sequence[int] = (64, 64),
        device: str = 'cpu', precision: str = 'fp32', repeats: int = 5,
        warmup: int = 1) -> Dict:
    """Measure ``models`` (each ``(config,)`` or ``(config, checkpoint)``) side by side.

    Returns:
        ``dict(lr_size, device, precision, repeats, torch_threads, gpu, models=[row])``;
        a row has ``params``, ``macs_full``, ``macs_step``, ``latency_full``/``_step``
        (median, min, max), ``peak_mem_mib_full`` and ``ratio_to_first``.
    """
    device = torch.device(device)
    lr = lr_image(*lr_size, device)
    entries = [Entry(g[0], g[1] if len(g) > 1 else None, device, precision, lr)
               for g in models]
    rows, timed = [], device.type != 'meta'
    for e in entries:
        e.full()  # builds lazy state (e.g. the step's condition) before counting
        row = dict(model=e.name, params=deployed_params(e.model), macs_full=count_macs(e.full))
        if timed:
            row['peak_mem_mib_full'] = peak_memory_mib(e.full, device)
        if e.has_step():
            row['macs_step'] = count_macs(e.step)
        rows.append(row)
    times = [dict(full=[], step=[]) for _ in entries]
    if not timed:
        warmup, repeats = 0, 0
    for _ in range(warmup):
        for e in entries:
            e.full()
    for _ in range(repeats):  # round-robin: the same noise for every model
        for e, t in zip(entries, times):
            t['full'].append(time_once(e.full, device))
            if e.has_step():
                t['step'].append(time_once(e.step, device))
    for row, t in zip(rows, times):
        if t['full']:
            row['latency_full'] = summarise_times(t['full'])
        if t['step']:
            row['latency_step'] = summarise_times(t['step'])
    first = rows[0]
    for row in rows:
        row['ratio_to_first'] = {
            k: round(_num(row, k) / _num(first, k), 4)
            for k in ('params', 'macs_full', 'macs_step', 'latency_full', 'latency_step',
                      'peak_mem_mib_full')
            if _num(row, k) is not None and _num(first, k)}
    return dict(lr_size=list(lr_size), device=str(device), precision=precision,
                repeats=repeats, torch_threads=torch.get_num_threads(),
                gpu=torch.cuda.get_device_name(device) if device.type == 'cuda' else None,
                models=rows)


def _num(row, key):
    v = row.get(key)
    return v['median_s'] if isinstance(v, dict) else v


def to_markdown(report) -> str:
    head = ['model', 'params', 'MACs (full SR)', 'MACs (1 step, untiled)', 'latency full (s)',
            'latency step (s)', 'peak mem full SR (MiB)']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in report['models']:
        ratio = r['ratio_to_first']

        def cell(key, fmt):
            v = _num(r, key)
            return '-' if v is None else f'{fmt(v)} ({ratio.get(key, 1):.2f}x)'
        lines.append('| ' + ' | '.join([
            r['model'], cell('params', lambda v: f'{v / 1e6:.2f}M'),
            cell('macs_full', lambda v: f'{v / 1e9:.2f}G'),
            cell('macs_step', lambda v: f'{v / 1e9:.2f}G'),
            cell('latency_full', lambda v: f'{v:.3f}'), cell('latency_step', lambda v: f'{v:.4f}'),
            cell('peak_mem_mib_full', lambda v: f'{v:.0f}')]) + ' |')
    return '\n'.join(lines)
