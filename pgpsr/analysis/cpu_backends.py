"""Which CPU backend runs a compressed model fastest, measured side by side: PyTorch eager,
``torch.compile`` (inductor) and onnxruntime (the exported graph), on the model's own
tile forward (a batch of ``tile_batch`` LR tiles of ``tile`` px, as its config tiles) and
on one full SR of a real photo through pgpsr's tiled inference (colour fix included).
Each backend's output is compared with eager's: a faster backend is worth recommending
only with equal output."""
import os.path as osp
import tempfile
import time
from typing import Dict, Sequence

import numpy as np
import torch

from pgpsr.analysis.timing import add_ratios, side_by_side
from pgpsr.apis import init_model, load_config, super_resolve_float
from pgpsr.deploy import compile_refusal, export_onnx, use_onnxruntime, use_torch_compile

BACKENDS = ('torch_eager', 'torch_compile', 'onnxruntime')


def photo_lr(side: int) -> np.ndarray:
    """A real photo (scikit-image's astronaut, 512x512) resized to ``side`` x ``side``
    with area averaging: the LR whose x4 SR is measured."""
    import cv2
    import skimage.data
    return cv2.resize(skimage.data.astronaut(), (side, side), interpolation=cv2.INTER_AREA)


def _backends(config: str, checkpoint: str, work_dir: str, threads: int,
              backends: Sequence[str]) -> Dict:
    """backend -> (model, seconds spent preparing it: the export; compiling is timed on
    first use)."""
    cfg = load_config(config)
    out = dict(torch_eager=(init_model(cfg, checkpoint), 0.0))
    if 'torch_compile' in backends and not compile_refusal():
        out['torch_compile'] = (use_torch_compile(init_model(cfg, checkpoint)), 0.0)
    if 'onnxruntime' in backends:
        path = osp.join(work_dir, 'model.onnx')
        t = time.perf_counter()
        export_onnx(init_model(cfg, checkpoint), path)
        exported = time.perf_counter() - t
        out['onnxruntime'] = (use_onnxruntime(init_model(cfg, checkpoint), path,
                                              threads=threads), exported)
    return out


def compare(config: str, checkpoint: str, lr_side: int = 256, repeats: int = 3,
            threads: int = 2, backends: Sequence[str] = BACKENDS) -> Dict:
    """One model's rows: tile-forward and full-SR latency per backend, their ratios to
    eager, and each backend's output difference to eager."""
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        raise ValueError(f'unknown backends {sorted(unknown)}; choose from {BACKENDS}')
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as work_dir, torch.no_grad():
        models = _backends(config, checkpoint, work_dir, threads, backends)
        eager = models['torch_eager'][0]
        tile, batch = eager.test_cfg.get('tile') or 64, eager.test_cfg.get('tile_batch', 1)
        g = torch.Generator().manual_seed(0)
        tiles = torch.rand(batch, 3, tile, tile, generator=g) * 2 - 1
        rgb = photo_lr(lr_side)
        compile_s = 0.0
        if 'torch_compile' in models:  # compiles on first use: counted apart
            t = time.perf_counter()
            models['torch_compile'][0].sample(tiles)
            super_resolve_float(models['torch_compile'][0], rgb)
            compile_s = time.perf_counter() - t
        tile_calls = {k: (lambda m=m: m.sample(tiles)) for k, (m, _) in models.items()}
        full_calls = {k: (lambda m=m: super_resolve_float(m, rgb)) for k, (m, _) in
                      models.items()}
        tile_rows = side_by_side(tile_calls, repeats=repeats, warmup=1, peak=())
        full_rows = side_by_side(full_calls, repeats=repeats, warmup=1, peak=())
        want_tile, want_full = eager.sample(tiles), super_resolve_float(eager, rgb)
        rows = {}
        for k, (m, prep) in models.items():
            full = super_resolve_float(m, rgb)
            levels = np.abs(np.rint(full * 255) - np.rint(want_full * 255))
            rows[k] = dict(
                tile=dict(tile_rows[k], per_tile_s=tile_rows[k]['latency']['median_s'] / batch),
                full=full_rows[k],
                max_abs_diff_tile=float((m.sample(tiles) - want_tile).abs().max()),
                full_png_levels_max=int(levels.max()),
                full_png_values_differing=float((levels > 0).mean()),
                prepare_s=round(compile_s if k == 'torch_compile' else prep, 1))
        add_ratios([r['tile'] for r in rows.values()], rows['torch_eager']['tile'],
                   ('latency',))
        add_ratios([r['full'] for r in rows.values()], rows['torch_eager']['full'],
                   ('latency',))
    skipped = {k: compile_refusal() for k in backends if k not in rows}
    return dict(config=config, checkpoint=checkpoint, tile=tile, tile_batch=batch,
                skipped=skipped,
                lr=[lr_side, lr_side], sr=[4 * lr_side, 4 * lr_side], threads=threads,
                repeats=repeats, rows=rows)


def run(models: Sequence[Sequence[str]], **kwargs) -> Dict:
    """``compare`` for each (config, checkpoint)."""
    return dict(torch=torch.__version__, models=[compare(c, k, **kwargs) for c, k in models])


def to_markdown(report: Dict) -> str:
    lines = ['| model | backend | per tile (ms) | full SR (s) | tile, full vs eager | '
             'max diff to eager (tile; PNG levels, share) | prepare (s) |',
             '|---|---|---|---|---|---|---|']
    for m in report['models']:
        name = osp.splitext(osp.basename(m['config']))[0]
        for k, r in m['rows'].items():
            lines.append(
                f"| {name} | {k} | {1000 * r['tile']['per_tile_s']:.2f} | "
                f"{r['full']['latency']['median_s']:.2f} | {r['tile']['ratio']['latency']:.2f}x, "
                f"{r['full']['ratio']['latency']:.2f}x | {r['max_abs_diff_tile']:.1e}; "
                f"{r['full_png_levels_max']}, {100 * r['full_png_values_differing']:.3f}% | "
                f"{r['prepare_s']} |")
    return '\n'.join(lines)
