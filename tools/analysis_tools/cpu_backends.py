"""The CPU backends side by side: PyTorch eager, torch.compile and onnxruntime, on the
shipped pruned PGP model and AdcSR student (per tile, and one 1024x1024 SR of a photo).

    python tools/analysis_tools/cpu_backends.py [--model CONFIG CKPT ...] [--lr-side 256]
        [--repeats 3] [--threads 2] [--out report.json]
"""
import argparse
import json
import sys

from pgpsr.analysis.cpu_backends import run, to_markdown

SHIPPED = [('checkpoints/pgp_dit_s1_pgp_x4.py', 'checkpoints/pgp_dit_s1_pgp_x4.pth'),
           ('checkpoints/adcsr_demo_x4.py', 'checkpoints/adcsr_demo_x4.pth')]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', nargs=2, action='append', metavar=('CONFIG', 'CKPT'))
    p.add_argument('--lr-side', type=int, default=256, help='LR side (SR: 4x)')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', help='write the JSON report here')
    args = p.parse_args(argv)
    report = run(args.model or SHIPPED, lr_side=args.lr_side, repeats=args.repeats,
                 threads=args.threads)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=1)
    print(to_markdown(report))
    return 0


if __name__ == '__main__':
    sys.exit(main())
