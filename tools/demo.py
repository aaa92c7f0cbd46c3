"""The main job on the embedded default: PGP-DiffSR end to end on a CPU in minutes.

    python tools/demo.py [--work-dir work_dirs/demo] [--quick]

1. train the unpruned parent (configs/pgp_diffsr/pgp_dit_s1_demo_x4.py) on the photos
   that ship with scikit-image, or use the shipped checkpoints/pgp_dit_s1_x4.pth;
2. analyse block redundancy (redundancy.csv/json/png);
3. prune it progressively with the phase-exchange adapter and distillation
   (pgp_dit_s1_demo-pgp_x4.py), and with the same schedule and budget without the adapter;
4. evaluate bicubic, unpruned, pruned and pruned-without-adapter on held-out photos
   (PSNR-Y, SSIM-Y, NIQE), save the SR images and a side-by-side comparison;
5. benchmark params, MACs, latency and peak memory side by side;
6. write WORK_DIR/report.md and report.json with every number.

Finished steps are reused when the demo is run again; an interrupted training resumes.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from PIL import Image  # noqa: E402
from tqdm import tqdm  # noqa: E402

from pgpsr.apis import (init_model, load_config, model_and_batches,  # noqa: E402
                        prepare_environment)
from pgpsr.apis.held_out import evaluate_held_out  # noqa: E402
from pgpsr.pruning import analyse_redundancy  # noqa: E402
from pgpsr.pruning.report import plot_heatmap, save_table  # noqa: E402

CFG = 'configs/pgp_diffsr/pgp_dit_s1_demo{}_x4.py'
SHIPPED = 'checkpoints/pgp_dit_s1_x4.pth'  # the parent trained longer (see its .py)
MODELS = dict(unpruned='', pruned='-pgp', pruned_no_adapter='-pgp-noadapter')


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--work-dir', default='work_dirs/demo')
    p.add_argument('--quick', action='store_true',
                   help='a few iterations per training (smoke test, numbers meaningless)')
    p.add_argument('--retrain', action='store_true', help='ignore the shipped checkpoint')
    p.add_argument('--photo-set', choices=['embedded', 'photos'], default='embedded',
                   help='held-out photos for step 4 (photos: the `make data` set)')
    return p.parse_args()


def step(n: int, text: str) -> None:
    print(f'\n[{n}/6] {text}', flush=True)


def train(config: str, work_dir: str, quick: bool, load_from: str = None) -> str:
    """Train ``config`` into ``work_dir`` (reused when finished, resumed when interrupted)."""
    cfg = load_config(config)
    if quick:
        cfg.train_cfg.max_iters = 6
        for hook in cfg.get('custom_hooks', []):
            for stage in hook.get('stages', []):
                stage['at'] = min(stage['at'], 3)
    cfg.train_cfg.val_interval = cfg.train_cfg.max_iters + 1  # evaluation is step 4
    cfg.default_hooks.checkpoint.interval = cfg.train_cfg.max_iters
    cfg.default_hooks.logger.interval = 50
    cfg.work_dir = work_dir
    cfg.load_from = load_from
    final = osp.join(work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    prepare_environment(cfg, 'none')
    if osp.exists(final):
        print(f'reusing finished training: {final}')
        return final
    if osp.exists(osp.join(work_dir, 'last_checkpoint')):
        cfg.resume = True
    t = time.perf_counter()
    Runner.from_cfg(cfg).train()
    print(f'trained {config} in {time.perf_counter() - t:.0f} s')
    return final


def evaluate(models: dict, work_dir: str, photo_set: str = 'embedded') -> dict:
    result = evaluate_held_out(models, osp.join(work_dir, 'images'), tqdm, photo_set)
    panels = []
    for o in result.pop('outputs').values():
        h, w = o['gt'].shape[:2]
        c = min(h, w, 160)
        y, x = (h - c) // 2, (w - c) // 2
        view = [cv2.resize(o['lr'], (w, h), interpolation=cv2.INTER_NEAREST), o['bicubic'],
                o['unpruned'], o['pruned'], o['gt']]
        panels.append(np.concatenate([v[y:y + c, x:x + c] for v in view], axis=1))
    Image.fromarray(np.concatenate(panels, axis=0)).save(osp.join(work_dir, 'comparison.png'))
    return result


def benchmark(configs: dict, checkpoints: dict) -> dict:
    from pgpsr.apis.benchmarking import run, to_markdown
    names = list(configs)
    report = run([(configs[n], checkpoints[n]) for n in names], (64, 64), repeats=5, warmup=1)
    for name, row in zip(names, report['models']):
        row['model'] = name
    report['markdown'] = to_markdown(report)
    return report


def write_report(work_dir: str, report: dict) -> None:
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
    print('\n'.join(lines))


def main():
    args = parse_args()
    t0 = time.perf_counter()
    os.makedirs(args.work_dir, exist_ok=True)
    configs = {k: CFG.format(v) for k, v in MODELS.items()}
    step(1, 'unpruned parent')
    if osp.exists(SHIPPED) and not args.retrain and not args.quick:
        parent, source = SHIPPED, f'shipped checkpoint {SHIPPED}'
        print(f'using {SHIPPED}')
    else:
        parent = train(configs['unpruned'], osp.join(args.work_dir, 'unpruned'), args.quick)
        source = 'trained by this run'
    step(2, 'block redundancy of the parent')
    _, model, batches = model_and_batches(configs['unpruned'], parent, 2)
    table = analyse_redundancy(model, batches)
    save_table(table, args.work_dir)
    one_step = model.test_cfg['one_step']
    plot_heatmap(table, osp.join(args.work_dir, 'redundancy.png'),
                 'demo parent' + (' (one-step: blocks scored input vs output)' if one_step
                                  else ''))
    step(3, 'progressive pruning with and without the phase-exchange adapter')
    ckpts = dict(unpruned=parent)
    for key in ('pruned', 'pruned_no_adapter'):
        ckpts[key] = train(configs[key], osp.join(args.work_dir, key), args.quick, parent)
    step(4, 'evaluation on held-out photos')
    models = {k: init_model(configs[k], ckpts[k]) for k in configs}
    evaluation = evaluate(models, args.work_dir, args.photo_set)
    step(5, 'efficiency benchmark')
    bench = benchmark(configs, ckpts)
    history = torch.load(ckpts['pruned'], map_location='cpu',
                         weights_only=False).get('progressive_prune', {}).get('history', [])
    step(6, 'report')
    write_report(args.work_dir, dict(
        configs=configs, checkpoints=ckpts, parent_source=source, evaluation=evaluation,
        benchmark=bench, pruning_history=history, seconds_total=time.perf_counter() - t0,
        redundancy=json.load(open(osp.join(args.work_dir, 'redundancy.json')))))


if __name__ == '__main__':
    main()
