"""The GPU check: real-size bf16 denoiser steps (SD2.1, SDXL, DiT-XL/2, unpruned vs
pruned, with MFU), OSEDiff vs AdcSR's student on a 512^2 SR, a 2048^2 tiled SR and one
training step of the SD2.1 PGP recipe, as one JSON report (pgpsr/analysis/gpu_check.py).

    python tools/analysis_tools/gpu_check.py [--tiny] [--device cuda] [--repeats 3]
        [--out report.json]

Sized to finish within 8 minutes on one H100. Without a GPU, --tiny runs the same code
on tiny architectures on the CPU (what the tests run). Exit code 1 if a section failed.
"""
import argparse
import json
import sys

import torch

from pgpsr import register_all_modules
from pgpsr.analysis.gpu_check import run


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--tiny', action='store_true', help='tiny architectures (CPU test)')
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--out', help='write the JSON report here too')
    args = p.parse_args(argv)
    if torch.device(args.device).type != 'cuda' and not args.tiny:
        sys.exit('no CUDA device: the real-size check needs a GPU (--tiny runs the tiny '
                 'architectures on the CPU)')
    register_all_modules()
    report = run(args.device, args.tiny, args.repeats)
    text = json.dumps(report, indent=1)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text)
    print(text)
    failed = [k for k, v in report['sections'].items() if 'error' in v]
    if failed:
        print(f'failed sections: {failed}', file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
