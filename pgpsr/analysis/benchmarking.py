"""Params, MACs, latency and peak memory of SR models, side by side in one run.

For each model: a full super-resolution of one LR image (every sampling step, codec,
tiling as configured) and one denoiser step. Timed runs alternate between the models
round by round (:mod:`.timing`); the median, min and max are reported, with ratios to
the first model. Pruned checkpoints load with their original config.
Parameters are those of what runs at test time (AdcSR: the student, not its teacher or
discriminator). On the meta device params and MACs of real-size configs are counted
without allocating their weights (no checkpoint, no timing). Used by
tools/analysis_tools/benchmark.py, results_table.py and tools/demo.py.
"""
import os.path as osp
from typing import Dict, Protocol, Sequence

import cv2
import torch
from skimage import data

from pgpsr.apis import init_model
from pgpsr.evaluation.efficiency import autocast
from pgpsr.models.base_models import SRPredictMixin
from pgpsr.pruning import count_params
from pgpsr.utils.op_counter import count_macs
from pgpsr.utils.protocols import missing_members
from .timing import add_ratios, side_by_side, value


def lr_image(h: int, w: int, device) -> torch.Tensor:
    """A real photo (scikit-image's astronaut) resized to the LR size, in [-1, 1]."""
    if torch.device(device).type == 'meta':
        return torch.zeros(1, 3, h, w, device='meta')
    img = cv2.resize(data.astronaut(), (w, h), interpolation=cv2.INTER_AREA)
    return (torch.from_numpy(img).permute(2, 0, 1)[None].float() / 127.5 - 1).to(device)


class DenoiserStep(Protocol):
    """What ``Entry.step`` calls: a model that denoises a latent under an LR condition
    (PGPDiffSR). Others (AdcSR's one-step student) are measured by their full SR only."""

    def pad_lr(self, lr: torch.Tensor) -> torch.Tensor: ...

    def encode_condition(self, lr: torch.Tensor) -> torch.Tensor: ...

    def denoise(self, x_t: torch.Tensor, t: torch.Tensor,
                cond: torch.Tensor) -> torch.Tensor: ...


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
            if isinstance(self.model, SRPredictMixin):
                return self.model.sample_any_size(self.lr)
            return self.model(self.lr)

    def has_step(self) -> bool:
        return not missing_members(self.model, DenoiserStep)

    def step(self):
        with autocast(self.device, self.precision):
            if self.cond is None:
                self.cond = self.model.encode_condition(self.model.pad_lr(self.lr))
            t = torch.full((1,), 999, device=self.cond.device, dtype=torch.long)
            return self.model.denoise(self.cond, t, self.cond)


def build_on_meta(config: str):
    from pgpsr.registry import MODELS
    from pgpsr.apis import load_config, prepare_environment
    cfg = load_config(config)
    prepare_environment(cfg, 'none')
    with torch.device('meta'):
        return MODELS.build(cfg.model).eval()


def deployed_params(model) -> int:
    return count_params(model.inference_module() if isinstance(model, SRPredictMixin)
                        else model)


def run(models: Sequence[Sequence[str]], lr_size: Sequence[int] = (64, 64),
        device: str = 'cpu', precision: str = 'fp32', repeats: int = 5,
        warmup: int = 1) -> Dict:
    """Measure ``models`` (each ``(config,)`` or ``(config, checkpoint)``) side by side.

    Returns:
        ``dict(lr_size, device, precision, repeats, torch_threads, gpu, models=[row])``;
        a row has the full SR's ``params``, ``macs``, ``latency``, ``peak_mem_mib`` and
        ``ratio`` (to the first model; :mod:`.timing`'s schema) and, for a model with a
        denoiser, ``step``: one untiled denoiser call's ``macs``, ``latency``, ``ratio``.
    """
    device = torch.device(device)
    lr = lr_image(*lr_size, device)
    entries = [Entry(g[0], g[1] if len(g) > 1 else None, device, precision, lr)
               for g in models]
    rows, calls, timed = [], {}, device.type != 'meta'
    for i, e in enumerate(entries):
        e.full()  # builds lazy state (e.g. the step's condition) before counting
        row = dict(model=e.name, params=deployed_params(e.model), macs=count_macs(e.full))
        calls[i, 'full'] = e.full
        if e.has_step():
            row['step'] = dict(macs=count_macs(e.step))
            calls[i, 'step'] = e.step
        rows.append(row)
    if timed:
        measured = side_by_side(calls, device, repeats, warmup,
                                peak=[k for k in calls if k[1] == 'full'])
        for (i, call), m in measured.items():
            (rows[i] if call == 'full' else rows[i]['step']).update(m)
    else:
        repeats = 0
    add_ratios(rows, rows[0])
    if 'step' in rows[0]:
        add_ratios([r['step'] for r in rows if 'step' in r], rows[0]['step'])
    return dict(lr_size=list(lr_size), device=str(device), precision=precision,
                repeats=repeats, torch_threads=torch.get_num_threads(),
                gpu=torch.cuda.get_device_name(device) if device.type == 'cuda' else None,
                models=rows)


def to_markdown(report) -> str:
    head = ['model', 'params', 'MACs (full SR)', 'MACs (1 step, untiled)', 'latency full (s)',
            'latency step (s)', 'peak mem full SR (MiB)']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in report['models']:
        step = r.get('step', {})

        def cell(row, key, fmt):
            v = value(row, key)
            return '-' if v is None else f"{fmt(v)} ({row['ratio'].get(key, 1):.2f}x)"
        lines.append('| ' + ' | '.join([
            r['model'], cell(r, 'params', lambda v: f'{v / 1e6:.2f}M'),
            cell(r, 'macs', lambda v: f'{v / 1e9:.2f}G'),
            cell(step, 'macs', lambda v: f'{v / 1e9:.2f}G'),
            cell(r, 'latency', lambda v: f'{v:.3f}'), cell(step, 'latency', lambda v: f'{v:.4f}'),
            cell(r, 'peak_mem_mib', lambda v: f'{v:.0f}')]) + ' |')
    return '\n'.join(lines)
