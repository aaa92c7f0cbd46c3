"""Evaluate a checkpoint with mmengine's Runner (a pruned checkpoint works with its
original config).

    python tools/test.py CONFIG [CHECKPOINT] [--work-dir DIR] [--out results.json]
                         [--gt HR_DIR --lq LR_DIR | --lq LR_DIR]
                         [--cfg-options k=v ...] [--launcher none|pytorch]

CHECKPOINT may be left out when the config names every weight itself: ``load_from`` (the
converted AdcSR release) or ``weights_in_config = True`` (the OSEDiff teacher, whose
weights are its pretrained folders). ``--gt/--lq`` evaluate on your own pairs with the LR as given (the config's own test set
may remake LR from GT: its log says so); ``--lq`` alone runs the no-reference metrics.
"""
import argparse
import json
import math
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.runner import Runner  # noqa: E402

from pgpsr.apis import finish_distributed, load_config, prepare_environment  # noqa: E402
from pgpsr.apis.config_paths import check_paths  # noqa: E402
from pgpsr.apis.given_folders import use_given_folders  # noqa: E402
from pgpsr.apis.inference import checkpoint_of  # noqa: E402
from pgpsr.apis.runner_setup import add_runner_args, parse_runner_args  # noqa: E402

PAIRED_BASE = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                       'configs', '_base_', 'datasets', 'paired_folders_x4.py')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Test a pgpsr model')
    p.add_argument('config', help='config file')
    p.add_argument('checkpoint', nargs='?',
                   help="checkpoint file (default: the config's load_from)")
    p.add_argument('--work-dir', help='where logs go')
    p.add_argument('--out', help='write the metrics as JSON here')
    p.add_argument('--gt', help='GT folder of your own pairs (matched to --lq by file name)')
    p.add_argument('--lq', help='LR folder: evaluated as given (alone: no-reference metrics)')
    add_runner_args(p, 'model.test_cfg.num_steps=50')
    return parse_runner_args(p, argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.gt and not args.lq:
        raise SystemExit('--gt needs --lq: the LR folder to super-resolve')
    try:
        cfg.load_from = checkpoint_of(cfg, args.checkpoint)
    except ValueError as exc:
        raise SystemExit(str(exc))
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    prepare_environment(cfg, args.launcher)
    if args.lq:
        use_given_folders(cfg, PAIRED_BASE, args.lq, args.gt)
    check_paths(cfg, ('test_dataloader',))  # every missing path in one message
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    if args.out:
        from mmengine.dist import is_main_process
        if is_main_process():
            write_results(args.out, metrics, runner.test_evaluator.metrics)
    finish_distributed()
    return metrics


def _number(v):
    """Strict JSON: a metric that could not be computed is null, not NaN."""
    v = float(v)
    return None if math.isnan(v) else v


def write_results(path: str, metrics: dict, metric_objs) -> None:
    """``{"mean": {...}, "per_image": {name: {...}}, "skipped": {metric: reason}}``."""
    per_image, skipped = {}, {}
    for m in metric_objs:
        for rec in getattr(m, 'per_image', []):
            row = per_image.setdefault(rec['image'], {})
            row.update({k: _number(v) for k, v in rec.items() if k != 'image'})
        if getattr(m, 'skip_reason', None):
            skipped[type(m).__name__] = m.skip_reason
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(mean={k: _number(v) for k, v in metrics.items()},
                       per_image=per_image, skipped=skipped), f, indent=2, allow_nan=False)


if __name__ == '__main__':
    main()
