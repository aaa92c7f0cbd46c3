"""Evaluate a checkpoint with mmengine's Runner (a pruned checkpoint works with its
original config).

    python tools/test.py CONFIG [CHECKPOINT] [--work-dir DIR] [--out results.json]
                         [--gt HR_DIR --lq LR_DIR | --lq LR_DIR |
                          --test-set configs/_base_/datasets/realsr_x4.py [--data-root DIR]]
                         [--metrics config|paper] [--metric-weights DIR]
                         [--cfg-options k=v ...] [--launcher none|pytorch]

CHECKPOINT may be left out when the config names every weight itself: ``load_from`` (the
converted AdcSR release) or ``weights_in_config = True`` (the OSEDiff teacher, whose
weights are its pretrained folders). ``--gt/--lq`` evaluate on your own pairs with the LR
as given (the config's own test set may remake LR from GT: its log says so); ``--lq``
alone runs the no-reference metrics.
``--test-set`` evaluates on a released test set (its given LR) with its metrics.
``--metrics paper`` scores with the papers' nine metrics (the no-reference four without GT)
and prints their markdown row. ``--cfg-options`` on test_dataloader / test_evaluator are
applied after these options, so they reach what the options put in
(``test_evaluator.7.pyiqa_opts.test_sample=1``: MANIQA on 1 crop instead of pyiqa's 20).
"""
import argparse
import json
import math
import os
import sys
import os.path as osp

from mmengine.runner import Runner

from pgpsr.apis import finish_distributed, load_config, prepare_environment
from pgpsr.apis.config_keys import ConfigKeyError, check_cfg_options
from pgpsr.apis.config_paths import check_paths
from pgpsr.apis.given_folders import use_given_folders
from pgpsr.apis.inference import checkpoint_of
from pgpsr.apis.paper_metrics import markdown_row, paper_row, use_paper_metrics
from pgpsr.apis.runner_setup import add_runner_args, parse_runner_args
from pgpsr.apis.test_sets import use_test_set

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', '_base_')
PAIRED_BASE = osp.join(CONFIGS, 'datasets', 'paired_folders_x4.py')
PAPER_METRICS = osp.join(CONFIGS, 'evaluation', 'paper_x4.py')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Test a pgpsr model')
    p.add_argument('config', help='config file')
    p.add_argument('checkpoint', nargs='?',
                   help="checkpoint file (default: the config's load_from)")
    p.add_argument('--work-dir', help='where logs go')
    p.add_argument('--out', help='write the metrics as JSON here')
    p.add_argument('--gt', help='GT folder of your own pairs (matched to --lq by file name)')
    p.add_argument('--lq', help='LR folder: evaluated as given (alone: no-reference metrics)')
    p.add_argument('--test-set', help='a test-set config, e.g. '
                   'configs/_base_/datasets/realsr_x4.py (its data and metrics)')
    p.add_argument('--data-root', help="the test set's folder, if not the config's")
    p.add_argument('--metrics', choices=['config', 'paper'], default='config',
                   help="paper: the papers' nine (PSNR SSIM LPIPS DISTS FID NIQE MUSIQ "
                   'MANIQA CLIPIQA; without GT the no-reference four)')
    p.add_argument('--metric-weights', default=os.environ.get('PGPSR_PYIQA_WEIGHTS') or osp.join(
        osp.dirname(osp.dirname(osp.abspath(__file__))), 'weights', 'torch_hub'),
        help='torch-hub-style folder of the pyiqa weights (default $PGPSR_PYIQA_WEIGHTS, '
             'else weights/torch_hub in this repository)')
    add_runner_args(p, 'model.test_cfg.num_steps=50')
    return parse_runner_args(p, argv)


def main(argv=None):
    args = parse_args(argv)
    options = args.cfg_options or {}
    test_keys = ('test_dataloader', 'test_evaluator')
    late = {k: v for k, v in options.items() if k.split('.')[0] in test_keys}
    try:
        cfg = load_config(args.config, {k: v for k, v in options.items() if k not in late})
        check_cfg_options(late)
    except (FileNotFoundError, ConfigKeyError) as exc:
        sys.exit(f'cannot load the config: {exc}')
    cfg.launcher = args.launcher
    if args.gt and not args.lq:
        raise SystemExit('--gt needs --lq: the LR folder to super-resolve')
    if args.test_set and args.lq:
        raise SystemExit('--test-set and --lq/--gt both name the test data: give one')
    try:
        cfg.load_from = checkpoint_of(cfg, args.checkpoint)
    except ValueError as exc:
        raise SystemExit(str(exc))
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    prepare_environment(cfg, args.launcher)
    if args.lq:
        use_given_folders(cfg, PAIRED_BASE, args.lq, args.gt)
    elif args.test_set:
        use_test_set(cfg, args.test_set, args.data_root)
    if args.metrics == 'paper':
        try:
            use_paper_metrics(cfg, PAPER_METRICS, args.metric_weights)
        except FileNotFoundError as exc:
            raise SystemExit(str(exc))
    if late:  # after the test set and metrics these options put in, so they reach them
        cfg.merge_from_dict(late)
    cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [dict(type='EvalProgressHook')]
    check_paths(cfg, ('test_dataloader',))  # every missing path in one message
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    from mmengine.dist import is_main_process
    if is_main_process():
        row = paper_row(metrics) if args.metrics == 'paper' else None
        out = args.out or (osp.join(cfg.work_dir, 'paper_metrics.json') if row else None)
        if out:
            write_results(out, metrics, runner.test_evaluator.metrics, row)
        if row:
            label = osp.splitext(osp.basename(args.config))[0]
            print(f'{markdown_row(label, row)}\n(JSON: {out})', flush=True)
    del runner  # its (DDP) model holds the process group, which must go before the exit
    finish_distributed()
    return metrics


def _number(v):
    """Strict JSON: a metric that could not be computed is null, not NaN."""
    v = float(v)
    return None if math.isnan(v) else v


def write_results(path: str, metrics: dict, metric_objs, paper=None) -> None:
    """``{"mean": {...}, "per_image": {name: {...}}, "skipped": {metric: reason}}``, and
    with ``paper`` (the papers' nine columns in order) ``"paper_row"``."""
    per_image, skipped = {}, {}
    for m in metric_objs:
        for rec in getattr(m, 'per_image', []):
            row = per_image.setdefault(rec['image'], {})
            row.update({k: _number(v) for k, v in rec.items() if k != 'image'})
        if getattr(m, 'skip_reason', None):
            skipped[type(m).__name__] = m.skip_reason
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    result = dict(mean={k: _number(v) for k, v in metrics.items()}, per_image=per_image,
                  skipped=skipped)
    if paper is not None:
        result['paper_row'] = paper
    with open(path, 'w') as f:
        json.dump(result, f, indent=2, allow_nan=False)


if __name__ == '__main__':
    main()
