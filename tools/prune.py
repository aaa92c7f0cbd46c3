"""One-shot block pruning of a checkpoint (no training), to compare with progressive pruning.

    python tools/prune.py CONFIG [CHECKPOINT] (--ratio R | --blocks N | --names a b ...) \
        [--criterion cosine|kl|random|magnitude] [--parts encoder decoder ...] [--exportable] \
        --out OUT.pth

The output loads with the original CONFIG and no flags (the removed blocks are recorded
in the state dict): tools/test.py CONFIG OUT.pth, tools/infer.py CONFIG OUT.pth, ...
"""
import argparse
import json
import os
import os.path as osp
import sys

import torch
from mmengine.config import DictAction

from pgpsr.analysis import model_and_batches
from pgpsr.models.backbones.base import PARTS
from pgpsr.pruning import complexity, criteria, prune_step


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint', nargs='?', default=None,
                   help='weights to prune (none: what the config loads, e.g. a pretrained folder)')
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument('--ratio', type=float, help='fraction of all blocks to remove')
    size.add_argument('--blocks', type=int, help='number of blocks to remove')
    size.add_argument('--names', nargs='+', help='remove exactly these blocks')
    p.add_argument('--criterion', default='cosine', choices=criteria())
    p.add_argument('--parts', nargs='+', default=list(PARTS), choices=PARTS)
    p.add_argument('--exportable', action='store_true',
                   help='remove only what the release format expresses (diffusers UNets: '
                        'the result exports with tools/model_converters/pgpsr_to_diffusers.py)')
    p.add_argument('--batches', type=int, default=2, help='calibration batches')
    p.add_argument('--steps', type=int, default=None, help='sampling steps scored')
    p.add_argument('--lr-size', type=int, nargs=2, default=(64, 64),
                   help='LR size for the reported MACs')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', required=True, help='output checkpoint (never the input)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


def stage_from_args(args) -> dict:
    extra = dict(exportable=True) if args.exportable else {}
    if args.names:
        return dict(blocks=args.names, **extra)
    key, value = ('ratio', args.ratio) if args.ratio is not None else ('num_blocks', args.blocks)
    return {'parts': args.parts, key: value, **extra}


def main(argv=None):
    args = parse_args(argv)
    if args.checkpoint and osp.abspath(args.out) == osp.abspath(args.checkpoint):
        sys.exit('--out must differ from the input checkpoint')
    needs_data = args.criterion in ('cosine', 'kl') and not args.names
    _, model, batches = model_and_batches(args.config, args.checkpoint,
                                          args.batches if needs_data else 0, args.cfg_options)
    before = complexity(model, args.lr_size)
    after = prune_step(model, stage_from_args(args), batches, args.criterion,
                       num_steps=args.steps, seed=args.seed, lr_size=args.lr_size)
    names = after.pop('removed')
    after.pop('scores')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    summary = dict(criterion=args.criterion, removed=names, before=before, after=after,
                   macs_ratio=round(after['step_macs'] / before['step_macs'], 4),
                   lr_size=list(args.lr_size))
    torch.save(dict(state_dict=model.state_dict(), meta=dict(one_shot_prune=summary)),
               args.out)
    print(json.dumps(summary, indent=1))
    return summary


if __name__ == '__main__':
    main()
