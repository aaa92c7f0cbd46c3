"""Run an exported graph in place of the PyTorch forward of the tile (one-step models) or
of the denoiser step (multi-step models): the tiling, colour fix and PNG streaming stay
the model's own, so the two backends differ only in the forward's float rounding."""
import types
from typing import Dict, Optional

import numpy as np
import torch


class OnnxGraph:
    """An onnxruntime session of a pgpsr graph and its metadata (kind, scale, divisor)."""

    def __init__(self, path: str, threads: Optional[int] = None) -> None:
        import onnxruntime as ort
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(path, opts, providers=['CPUExecutionProvider'])
        self.meta: Dict[str, str] = dict(self.session.get_modelmeta().custom_metadata_map)
        if 'pgpsr_kind' not in self.meta:
            raise ValueError(f'{path} is not a pgpsr graph (no pgpsr_kind in its metadata): '
                             'export it with tools/deployment/pytorch2onnx.py')
        self.kind = self.meta['pgpsr_kind']
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.path, self.runs = path, 0  # runs: forwards so far (what a user can check)

    def __call__(self, *tensors: torch.Tensor) -> torch.Tensor:
        d = int(self.meta.get('lr_size_divisor', 1))
        if self.kind == 'sr_tile' and any(s % d for s in tensors[0].shape[-2:]):
            raise ValueError(f'LR tile {tuple(tensors[0].shape[-2:])}: this graph takes '
                             f'sides that are multiples of {d} (pad first, as pad_lr does)')
        feed = {n: t.detach().cpu().numpy() for n, t in zip(self.inputs, tensors)}
        out = self.session.run(None, feed)[0]
        self.runs += 1
        return torch.from_numpy(np.asarray(out)).to(tensors[0].device)

    def check_matches(self, model) -> None:
        """Refuse a graph exported from another model (scale, divisor or kind differ)."""
        from .onnx_export import graph_kind
        want = dict(pgpsr_kind=graph_kind(model), scale=str(model.scale),
                    lr_size_divisor=str(model.lr_size_divisor))
        diff = {k: (self.meta.get(k), v) for k, v in want.items() if self.meta.get(k) != v}
        if diff:
            raise ValueError('the ONNX graph does not match the config: ' + ', '.join(
                f'{k} {g!r} in the graph, {w!r} in the config' for k, (g, w) in diff.items()))


def _sr_tile(model, graph: OnnxGraph):
    def sample(self, lr: torch.Tensor, *args, **kwargs) -> torch.Tensor:
        h, w = lr.shape[-2:]
        return graph(self.pad_lr(lr).float())[..., :h * self.scale, :w * self.scale]
    return sample


def _denoiser_step(model, graph: OnnxGraph):
    def denoise(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        t = t.reshape(-1).expand(x_t.shape[0]).to(torch.int64)
        return graph(x_t.float(), t, cond.float())
    return denoise


def use_onnxruntime(model, path: str, threads: Optional[int] = None):
    """``model`` with its tile forward (``sample``) or denoiser step (``denoise``) run by
    onnxruntime from the graph at ``path``; returns the model."""
    graph = OnnxGraph(path, threads)
    graph.check_matches(model)
    if graph.kind == 'sr_tile':
        model.sample = types.MethodType(_sr_tile(model, graph), model)
    else:
        model.denoise = types.MethodType(_denoiser_step(model, graph), model)
    model.onnx_graph = graph
    return model
