"""The report of ``tools/demo.py``: a comparison panel and report.md / report.json."""
import json
import os.path as osp
from typing import Dict, Sequence

import cv2
import numpy as np
from PIL import Image


def comparison_panel(outputs: Dict, path: str,
                     keys: Sequence[str] = ('bicubic', 'unpruned', 'pruned')) -> None:
    """Centre crops (up to 160 px) of every photo side by side: LR (nearest), ``keys``'
    outputs, GT; one row per photo. ``outputs``: evaluate_held_out's per-photo images."""
    panels = []
    for o in outputs.values():
        h, w = o['gt'].shape[:2]
        c = min(h, w, 160)
        y, x = (h - c) // 2, (w - c) // 2
        view = [cv2.resize(o['lr'], (w, h), interpolation=cv2.INTER_NEAREST),
                *[o[k] for k in keys], o['gt']]
        panels.append(np.concatenate([v[y:y + c, x:x + c] for v in view], axis=1))
    Image.fromarray(np.concatenate(panels, axis=0)).save(path)


def write_demo_report(work_dir: str, report: Dict) -> str:
    """Write ``report.json`` and ``report.md`` (quality, pruning stages, efficiency) into
    ``work_dir``; returns the Markdown."""
    with open(osp.join(work_dir, 'report.json'), 'w') as f:
        json.dump(report, f, indent=1)
    ev, hist = report['evaluation'], report['pruning_history']
    keys = ['bicubic', 'unpruned', 'pruned', 'pruned_no_adapter']
    lines = ['# pgpsr demo report', '',
             f"Parent: `{report['configs']['unpruned']}` ({report['parent_source']}). "
             f"Pruned: `{report['configs']['pruned']}`; ablation without adapter: "
             f"`{report['configs']['pruned_no_adapter']}` (same schedule and budget).",
             f"Total wall time {report['seconds_total']:.0f} s on this machine.", '',
             '## Quality on held-out photos (never trained on)', '',
             'LR = MATLAB (antialiased) bicubic /4 of the GT; PSNR-Y/SSIM-Y/NIQE with a 4 px border (NIQE: lower '
             'is better; the GT itself scores ' + f"{ev['mean']['gt']['niqe']:.2f}).", '',
             '| model | PSNR-Y | SSIM-Y | NIQE |', '|---|---|---|---|']
    for k in keys:
        m = ev['mean'][k]
        lines.append(f"| {k} | {m['psnr_y']:.2f} | {m['ssim_y']:.4f} | {m['niqe']:.2f} |")
    lines += ['', 'Per image:', '', '| image | model | PSNR-Y | SSIM-Y | NIQE | seconds |',
              '|---|---|---|---|---|---|']
    for r in ev['images']:
        for k in keys:
            sec = r['seconds'].get(k)
            lines.append(f"| {r['image']} | {k} | {r[k]['psnr_y']:.2f} | {r[k]['ssim_y']:.4f} "
                         f"| {r[k]['niqe']:.2f} | {'' if sec is None else f'{sec:.2f}'} |")
    m = ev['mean']
    lines += ['', '## What pruning and the adapter did', '',
              f"- pruning with the adapter vs the unpruned parent: "
              f"{m['pruned']['psnr_y'] - m['unpruned']['psnr_y']:+.2f} dB PSNR-Y",
              f"- adapter effect (pruned with vs without adapter, same budget): "
              f"{m['pruned']['psnr_y'] - m['pruned_no_adapter']['psnr_y']:+.2f} dB PSNR-Y, "
              f"{m['pruned']['ssim_y'] - m['pruned_no_adapter']['ssim_y']:+.4f} SSIM-Y",
              f"- pruned vs bicubic: {m['pruned']['psnr_y'] - m['bicubic']['psnr_y']:+.2f} dB "
              'PSNR-Y', '']
    lines += [f"{len(ev['images'])} held-out photos: differences of a few hundredths of a "
              'dB are within what another seed would change.', '',
              'Pruning stages (denoiser-step MACs at LR 64x64, untiled):', '']
    for h in hist:
        lines.append(f"- stage {h['stage']} after {h['iter']} iterations: removed "
                     f"{', '.join(h['removed'])} -> {h['params']:,} params, "
                     f"{h['step_macs'] / 1e9:.3f} GMACs")
    b = report['benchmark']
    lines += ['', f"## Efficiency (LR {b['lr_size'][0]}x{b['lr_size'][1]}, {b['device']}, "
              f"{b['precision']}, {b['torch_threads']} threads, median of {b['repeats']}; "
              'ratios to the unpruned parent)', '', b['markdown'], '',
              'MACs count matmuls, convolutions and attention; the adapter\'s FFTs are not '
              'counted, and on a CPU their per-tile overhead shows in the latency.', '',
              'Files: images/ (SR outputs), comparison.png (LR nearest | bicubic | unpruned | '
              'pruned | GT, centre crops), redundancy.png/.csv/.json (block redundancy of the '
              'parent).']
    with open(osp.join(work_dir, 'report.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return '\n'.join(lines)
