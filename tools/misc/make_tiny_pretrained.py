"""Write tiny pipeline folders with the real diffusers layout of SD2.1 / SDXL / DiT.

    python tools/misc/make_tiny_pretrained.py OUT_DIR [--arch sd21 sdxl dit] [--seed 0]

Each OUT_DIR/<arch>/ holds unet/ (or transformer/) and vae/ saved with diffusers'
``save_pretrained``: random weights, a few channels, the same block structure as the
released models. The *_tiny_* configs read them from work_dirs/tiny_pretrained/, so the
pretrained-backbone path runs end to end on a CPU in seconds (tests, smoke runs).
"""
import argparse
import os.path as osp

from pgpsr.models.pretrained.tiny_pretrained import ARCHS, save_tiny_pipeline


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out', nargs='?', default='work_dirs/tiny_pretrained')
    p.add_argument('--arch', nargs='+', default=list(ARCHS), choices=list(ARCHS))
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    for arch in args.arch:
        path = save_tiny_pipeline(arch, osp.join(args.out, arch), args.seed)
        print(f'wrote {path}')


if __name__ == '__main__':
    main()
