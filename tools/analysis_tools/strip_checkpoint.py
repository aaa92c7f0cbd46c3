"""Keep only what inference needs from a training checkpoint (weights + provenance).

    python tools/analysis_tools/strip_checkpoint.py IN.pth OUT.pth [--ema] [--keep PREFIX ...]

Drops the optimizer, schedulers and message hub; keeps the model state dict (the pruned
architecture travels inside it) and, under ``meta``, the iteration, the pruning history
and a SHA-256 of the weights. ``--ema`` ships the EMA weights instead of the raw ones;
``--keep generator.`` keeps only the keys under that prefix (an AdcSR student without its
teacher and discriminator).
"""
import argparse
import sys

from pgpsr.converters.checkpoints import strip_checkpoint


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src')
    p.add_argument('dst')
    p.add_argument('--ema', action='store_true', help='ship the EMA weights')
    p.add_argument('--keep', nargs='+', metavar='PREFIX', help='keep only these key prefixes')
    args = p.parse_args(argv)
    try:
        print(strip_checkpoint(args.src, args.dst, args.ema, args.keep))
    except ValueError as exc:
        sys.exit(str(exc))


if __name__ == '__main__':
    main()
