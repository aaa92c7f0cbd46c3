"""Do the redundancy criteria earn their keep? One-shot pruning at the same ratio by each
criterion (cosine, KL, random, magnitude), evaluated side by side on the same batches.

    python tools/analysis_tools/prune_baselines.py CONFIG CHECKPOINT --ratio 0.3 \
        [--parts encoder bottleneck decoder] [--random-seeds 3] [--batches 2] [--json OUT]

No fine-tuning: this isolates the choice of blocks. Prints a Markdown table.
"""
import argparse
import copy
import statistics

from mmengine.config import DictAction

from pgpsr.analysis import fixed_batches, model_and_batches
from pgpsr.evaluation.evaluate import evaluate_model
from pgpsr.models.backbones.base import PARTS
from pgpsr.pruning import complexity, prune_step
from pgpsr.utils.report_files import write_json


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--ratio', type=float, required=True)
    p.add_argument('--parts', nargs='+', default=list(PARTS), choices=PARTS)
    p.add_argument('--criteria', nargs='+', default=['cosine', 'kl', 'magnitude', 'random'])
    p.add_argument('--random-seeds', type=int, default=3)
    p.add_argument('--batches', type=int, default=2)
    p.add_argument('--steps', type=int, default=None)
    p.add_argument('--lr-size', type=int, nargs=2, default=(64, 64))
    p.add_argument('--json')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


def run(args):
    # blocks are scored on training data, the pruned models judged on validation data
    cfg, model, batches = model_and_batches(args.config, args.checkpoint, args.batches,
                                            args.cfg_options)
    val = fixed_batches(cfg, 'val_dataloader', args.batches)
    metrics = cfg.get('val_evaluator')
    metrics = metrics if isinstance(metrics, list) else [metrics]
    stage = dict(parts=args.parts, ratio=args.ratio)
    rows = [dict(criterion='unpruned', removed=[], **complexity(model, args.lr_size),
                 **evaluate_model(model, val, metrics))]
    for criterion in args.criteria:
        seeds = range(args.random_seeds) if criterion == 'random' else [0]
        runs = []
        for seed in seeds:
            pruned = copy.deepcopy(model)
            counts = prune_step(pruned, stage, batches, criterion, num_steps=args.steps,
                                seed=seed, lr_size=args.lr_size)
            counts.pop('scores')
            runs.append(dict(**counts, **evaluate_model(pruned, val, metrics)))
        row = dict(criterion=criterion if len(runs) == 1 else f'{criterion} (mean of {len(runs)})',
                   removed=runs[0]['removed'] if len(runs) == 1 else [r['removed'] for r in runs])
        for key in runs[0]:
            if key != 'removed':
                row[key] = statistics.fmean(r[key] for r in runs)
        rows.append(row)
    return rows


def to_markdown(rows, lr_size) -> str:
    keys = [k for k in rows[0] if k not in ('criterion', 'removed', 'params', 'backbone_params',
                                             'step_macs')]
    head = ['criterion', 'removed blocks', f'step MACs @ LR {lr_size[0]}x{lr_size[1]}', *keys]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    base = rows[0]['step_macs']
    for r in rows:
        same = all(isinstance(x, str) for x in r['removed'])
        lines.append('| ' + ' | '.join([
            r['criterion'], ', '.join(r['removed']) if same else 'varies by seed',
            f"{r['step_macs'] / 1e6:.1f}M ({r['step_macs'] / base:.0%})",
            *[f'{r[k]:.4g}' for k in keys]]) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    rows = run(args)
    print(to_markdown(rows, args.lr_size))
    write_json(args.json, rows)
    return rows


if __name__ == '__main__':
    main()
