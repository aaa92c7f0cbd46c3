"""The README's results table: models and peers on held-out photos, quality and
efficiency from one run (``tools/analysis_tools/results_table.py`` is its CLI and names
the shipped checkpoints and peers).

Quality: the held-out protocol of :mod:`.held_out` (the demo's), per LR kind.
Efficiency: :mod:`.benchmarking` (params, MACs, latency with the models alternating,
peak memory). The report also feeds the metafiles (:mod:`.metafiles`).
"""
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple


def to_markdown(report) -> str:
    return '\n\n'.join(quality_markdown(report, kind) for kind in report['quality'])


def quality_markdown(report, kind) -> str:
    b = report['benchmark']
    quality, bench = report['quality'][kind]['mean'], {r['model']: r for r in b['models']}
    head = ['model', 'PSNR-Y', 'SSIM-Y', 'NIQE', 'colour shift (max)', 'params',
            f"MACs (SR of {b['lr_size'][0]}x{b['lr_size'][1]} LR)", 'latency (s)',
            'peak mem (MiB)']
    q_all = report['quality'][kind]
    lines = [f"{q_all['photo_set']} held-out photos, {kind} LR:", '',
             '| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, q in quality.items():
        if name == 'gt':
            continue
        r = bench.get(name, {})
        lat = r.get('latency', {}).get('median_s')
        cells = [name, f"{q['psnr_y']:.2f}", f"{q['ssim_y']:.4f}", f"{q['niqe']:.2f}",
                 f"{q['max_colour_shift']:.1f}",
                 f"{r['params'] / 1e6:.2f}M" if r else '', f"{r['macs'] / 1e9:.2f}G" if r
                 else '', f'{lat:.3f}' if lat is not None else '',
                 f"{r['peak_mem_mib']:.0f}" if r.get('peak_mem_mib') is not None else '']
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines.append(f"\nGT NIQE: {quality['gt']['niqe']:.2f}. Colour shift: the largest "
                 "difference of a photo's mean R, G or B level to the bicubic upscale's, "
                 f"over the photos. Efficiency: {b['device']}, "
                 f"{b['precision']}, {b['torch_threads']} threads, median of {b['repeats']}"
                 ', models alternating.')
    return '\n'.join(lines)


def evaluate(models: Sequence[Tuple[str, str, str]], out_dir: str, photo_set: str,
             lr_kinds: Sequence[str], lr_size: Sequence[int], device: str = 'cpu',
             precision: str = 'fp32', repeats: int = 5, progress=None,
             test_cfg: Optional[Dict[str, Dict]] = None,
             degradation_config: Optional[str] = None) -> Dict:
    """Quality per LR kind and efficiency of ``models`` ((name, config, checkpoint)),
    returned as the report the table, the JSON and the metafiles are made from.
    ``test_cfg``: row name -> test_cfg keys set on top of its checkpoint's config;
    ``degradation_config``: the realesrgan LR kind's (see :func:`.held_out.make_lr`)."""
    from pgpsr.apis import init_model
    from .benchmarking import run
    from .held_out import evaluate_held_out
    built = {name: init_model(cfg, ckpt, device=device) for name, cfg, ckpt in models}
    for name, keys in (test_cfg or {}).items():
        if name in built:
            built[name].test_cfg.update(keys)
    quality = {}
    for kind in lr_kinds:
        quality[kind] = evaluate_held_out(built, osp.join(out_dir, f'images_{kind}'),
                                          progress, photo_set, kind, degradation_config)
        quality[kind].pop('outputs')
    del built
    efficiency = run([(cfg, ckpt) for _, cfg, ckpt in models], lr_size, device, precision,
                     repeats)
    for (name, _, _), row in zip(models, efficiency['models']):
        row['model'] = name
    report = dict(models=[dict(name=n, config=c, checkpoint=k) for n, c, k in models],
                  quality=quality, benchmark=efficiency)
    report['markdown'] = to_markdown(report)
    return report
