"""Export a pgpsr SR model to one ONNX graph.

One-step models (AdcSR's student, PGPDiffSR with ``test_cfg.one_step``) export whole: an
LR tile in [-1, 1] -> its SR tile in [-1, 1] (the LR upscale or unshuffle, the codec, the
denoiser with its adapter, the decoder, the clamp). Multi-step PGPDiffSR models export
the denoiser step ``(x_t, t, cond) -> prediction``; the sampler stays in Python.

Batch, height and width are dynamic; height and width must be multiples of the model's
``lr_size_divisor`` (the backend pads to it, as the PyTorch model does). The graph's
metadata carries what a backend needs to check it against the config: kind, scale,
size divisor, opset.
"""
import re
import warnings
from typing import Dict, Optional

import torch
from torch import nn

#: ONNX opset of the exported graphs (onnxruntime 1.32 runs it; torch's exporter's own)
DEFAULT_OPSET = 20


class ExportError(RuntimeError):
    """A model (or one of its ops) that the exporter cannot express."""


class SRTile(nn.Module):
    """A padded LR tile -> its SR tile: the one-step model's ``sample``."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, lr: torch.Tensor) -> torch.Tensor:
        return self.model.sample(lr)


class DenoiserStep(nn.Module):
    """One denoiser call of a multi-step model (its adapter included)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.model.denoise(x_t, t, cond)


def graph_kind(model: nn.Module) -> str:
    """'sr_tile' for one-step models, 'denoiser_step' for multi-step PGPDiffSR; anything
    else is refused by name."""
    from pgpsr.models.editors.adcsr.adcsr import AdcSR
    from pgpsr.models.editors.pgp_diffsr.pgp_diffsr import PGPDiffSR
    if isinstance(model, AdcSR):
        return 'sr_tile'
    if isinstance(model, PGPDiffSR):
        return 'sr_tile' if model.test_cfg.get('one_step') else 'denoiser_step'
    raise ExportError(f'{type(model).__name__}: only PGPDiffSR and AdcSR export to ONNX '
                      '(their SR tile or denoiser step)')


def _example(model: nn.Module, kind: str, size_units=(3, 2)):
    """Example inputs (batch 2, a non-square tile of divisor multiples) and their
    dynamic shapes."""
    d = model.lr_size_divisor
    h, w = size_units[0] * d, size_units[1] * d
    batch = torch.export.Dim('batch', min=1, max=64)
    hd, wd = torch.export.Dim('h', min=1, max=4096), torch.export.Dim('w', min=1, max=4096)
    lr = torch.rand(2, 3, h, w) * 2 - 1  # batch 2: a batch of 1 is specialised
    if kind == 'sr_tile':
        return (lr,), {'lr': {0: batch, 2: hd * d, 3: wd * d}}, ['lr'], ['sr']
    with torch.no_grad():
        cond = model.encode_condition(lr)
    # the latent grid is the HR grid over the codec factor: scale * d / factor per unit
    u = model.scale * d // model.codec.factor
    shapes = {'x_t': {0: batch, 2: hd * u, 3: wd * u}, 't': {0: batch},
              'cond': {0: batch, 2: hd * u, 3: wd * u}}
    return ((torch.randn_like(cond), torch.tensor([500, 500]), cond), shapes,
            ['x_t', 't', 'cond'], ['prediction'])


def _culprit(exc: BaseException) -> str:
    """The op or module the exporter stopped at, from the exception chain."""
    seen, texts = set(), []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        texts.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    text = '\n'.join(texts)
    ops = re.findall(r'\b(?:aten|prims)\.\w+', text)  # torch.ops.aten.remainder...
    first = next((ln.strip() for t in reversed(texts) for ln in t.splitlines()
                  if ln.strip()), 'unknown error')
    return (f'op {ops[-1]}: ' if ops else '') + first[:300]


def export_onnx(model: nn.Module, out: str, opset: int = DEFAULT_OPSET,
                size_units=(3, 2)) -> Dict:
    """Write ``model``'s graph (see the module) to ``out``; checks it with the ONNX
    checker and returns a report (kind, opset, inputs, outputs, size divisor, checker)."""
    import onnx
    kind = graph_kind(model)
    model = model.eval()
    module = (SRTile(model) if kind == "sr_tile" else DenoiserStep(model)).eval()
    args, shapes, inputs, outputs = _example(model, kind, size_units)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # x_t and cond share their axes by design: the exporter says it keeps one name
            warnings.filterwarnings('ignore', message='# The axis name', category=UserWarning)
            program = torch.onnx.export(module, args, dynamo=True, opset_version=opset,
                                        dynamic_shapes=shapes, input_names=inputs,
                                        output_names=outputs, verbose=False)
    except Exception as exc:  # noqa: B902 -- the exporter raises many kinds; all refuse
        raise ExportError(f'{type(model).__name__} cannot be exported to ONNX: '
                          f'{_culprit(exc)}') from exc
    meta = dict(pgpsr_kind=kind, scale=str(model.scale),
                lr_size_divisor=str(model.lr_size_divisor), opset=str(opset),
                model=type(model).__name__)
    proto = program.model_proto
    for k, v in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.save_model(proto, out)
    onnx.checker.check_model(out, full_check=True)
    return dict(meta, out=out, inputs=inputs, outputs=outputs, checker='passed')
