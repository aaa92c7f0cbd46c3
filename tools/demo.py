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
import time

import torch
from tqdm import tqdm

from pgpsr.analysis import model_and_batches
from pgpsr.analysis.demo_report import comparison_panel, write_demo_report
from pgpsr.analysis.held_out import evaluate_held_out
from pgpsr.apis import init_model
from pgpsr.apis.training import train_to_completion
from pgpsr.pruning import analyse_redundancy
from pgpsr.pruning.report import plot_heatmap, save_table

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


def evaluate(models: dict, work_dir: str, photo_set: str = 'embedded') -> dict:
    result = evaluate_held_out(models, osp.join(work_dir, 'images'), tqdm, photo_set)
    comparison_panel(result.pop('outputs'), osp.join(work_dir, 'comparison.png'))
    return result


def benchmark(configs: dict, checkpoints: dict) -> dict:
    from pgpsr.analysis.benchmarking import run, to_markdown
    names = list(configs)
    report = run([(configs[n], checkpoints[n]) for n in names], (64, 64), repeats=5, warmup=1)
    for name, row in zip(names, report['models']):
        row['model'] = name
    report['markdown'] = to_markdown(report)
    return report


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
        parent = train_to_completion(configs['unpruned'], osp.join(args.work_dir, 'unpruned'), args.quick)
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
        ckpts[key] = train_to_completion(configs[key], osp.join(args.work_dir, key), args.quick, parent)
    step(4, 'evaluation on held-out photos')
    models = {k: init_model(configs[k], ckpts[k]) for k in configs}
    evaluation = evaluate(models, args.work_dir, args.photo_set)
    step(5, 'efficiency benchmark')
    bench = benchmark(configs, ckpts)
    history = torch.load(ckpts['pruned'], map_location='cpu',
                         weights_only=False).get('progressive_prune', {}).get('history', [])
    step(6, 'report')
    print(write_demo_report(args.work_dir, dict(
        configs=configs, checkpoints=ckpts, parent_source=source, evaluation=evaluation,
        benchmark=bench, pruning_history=history, seconds_total=time.perf_counter() - t0,
        redundancy=json.load(open(osp.join(args.work_dir, 'redundancy.json'))))))


if __name__ == '__main__':
    main()
