"""Keep only what inference needs from a training checkpoint (weights + provenance).

    python tools/analysis_tools/strip_checkpoint.py IN.pth OUT.pth [--ema] [--keep PREFIX ...]

Drops the optimizer, schedulers and message hub; keeps the model state dict (the pruned
architecture travels inside it) and, under ``meta``, the iteration, the pruning history
and a SHA-256 of the weights. ``--ema`` ships the EMA weights instead of the raw ones;
``--keep generator.`` keeps only the keys under that prefix (an AdcSR student without its
teacher and discriminator).
"""
import argparse
import hashlib
import io
import os
import sys

import torch


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src')
    p.add_argument('dst')
    p.add_argument('--ema', action='store_true', help='ship the EMA weights')
    p.add_argument('--keep', nargs='+', metavar='PREFIX', help='keep only these key prefixes')
    args = p.parse_args(argv)
    if os.path.abspath(args.src) == os.path.abspath(args.dst):
        sys.exit('the output must differ from the input')
    ckpt = torch.load(args.src, map_location='cpu', weights_only=False)
    if args.ema:
        if 'ema_state_dict' not in ckpt:
            sys.exit(f'{args.src} has no EMA weights')
        state = {k[len('module.'):]: v for k, v in ckpt['ema_state_dict'].items()
                 if k.startswith('module.')}
    else:
        state = ckpt['state_dict']
    if args.keep:
        state = {k: v for k, v in state.items() if k.startswith(tuple(args.keep))}
        if not state:
            sys.exit(f'{args.src} has no weights under {args.keep}')
    buf = io.BytesIO()
    torch.save(state, buf)
    meta = dict(iter=ckpt.get('meta', {}).get('iter'), source=os.path.basename(args.src),
                weights_sha256=hashlib.sha256(buf.getvalue()).hexdigest(),
                progressive_prune=ckpt.get('progressive_prune'))
    tmp = args.dst + '.part'
    torch.save(dict(state_dict=state, meta=meta), tmp)
    os.replace(tmp, args.dst)
    print(f'{args.dst}: {os.path.getsize(args.dst) / 2 ** 20:.1f} MiB, {len(state)} tensors')


if __name__ == '__main__':
    main()
