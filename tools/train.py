"""Train a pgpsr model with mmengine's Runner.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--no-validate]
                                 [--cfg-options k=v ...] [--launcher none|pytorch]
Multi-process: tools/dist_train.sh CONFIG NUM_PROCS (gloo on CPU, nccl on GPU). A config with
`strategy=dict(type='FSDPStrategy' | 'DeepSpeedStrategy' | ...)` runs on mmengine's FlexibleRunner.
"""
import argparse
import os.path as osp
import sys


from pgpsr.apis import finish_distributed, load_config, prepare_environment
from pgpsr.apis.training import train
from pgpsr.apis.config_keys import ConfigKeyError
from pgpsr.apis.config_paths import check_paths
from pgpsr.apis.runner_setup import (add_runner_args, drop_validation,
                                     parse_runner_args)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Train a pgpsr model')
    p.add_argument('config', help='config file')
    p.add_argument('--work-dir', help='where logs and checkpoints go '
                   '(default: work_dirs/<config name>)')
    p.add_argument('--resume', nargs='?', type=str, const='auto',
                   help='resume from CKPT, or from the latest checkpoint in the work dir')
    p.add_argument('--amp', action='store_true', help='automatic mixed precision '
                   '(bf16 on CPU, fp16 with dynamic loss scaling on GPU)')
    p.add_argument('--no-validate', action='store_true', help='train without validation '
                   '(no val folder needed; the same as --cfg-options val_dataloader=None)')
    add_runner_args(p, 'train_cfg.max_iters=100')
    return parse_runner_args(p, argv)


def build_config(args):
    try:
        cfg = load_config(args.config, args.cfg_options)
    except (FileNotFoundError, ConfigKeyError) as exc:
        sys.exit(f'cannot load the config: {exc}')
    if args.no_validate:
        drop_validation(cfg)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        import torch
        wrapper = cfg.optim_wrapper
        if wrapper.get('type', 'OptimWrapper') == 'OptimWrapper':
            if torch.cuda.is_available():
                wrapper.type, wrapper.loss_scale = 'AmpOptimWrapper', 'dynamic'
            else:
                wrapper.type, wrapper.dtype = 'CPUAutocastOptimWrapper', 'bfloat16'
    cpu_autocast_without_cuda(cfg)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    loaders = ('train_dataloader', 'val_dataloader') if cfg.get('val_cfg') else \
        ('train_dataloader',)
    try:
        check_paths(cfg, loaders)  # every missing weight/data/checkpoint path in one message
    except FileNotFoundError as exc:
        sys.exit(f'cannot start: {exc}')
    return cfg


def cpu_autocast_without_cuda(cfg) -> None:
    """A GPU recipe's ``AmpOptimWrapper`` (fp16 + loss scale) runs on a machine without
    CUDA as bf16 CPU autocast (mmengine's wrapper requires a GPU); said in the log."""
    import torch
    if torch.cuda.is_available():
        return
    wrapper = cfg.get('optim_wrapper') or {}
    named = {k: v for k, v in wrapper.items() if isinstance(v, dict) and 'optimizer' in v}
    for name, w in (named or {'optim_wrapper': wrapper}).items():
        if w.get('type') == 'AmpOptimWrapper':
            w.update(type='CPUAutocastOptimWrapper', dtype='bfloat16')
            w.pop('loss_scale', None)
            print(f'{name}: no CUDA here, AmpOptimWrapper runs as bf16 CPU autocast',
                  flush=True)


def main(argv=None):
    args = parse_args(argv)
    cfg = build_config(args)
    prepare_environment(cfg, args.launcher)
    train(cfg)
    finish_distributed()


if __name__ == '__main__':
    main()
