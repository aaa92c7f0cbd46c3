"""Params, MACs, latency and peak memory of SR models, side by side in one run.

    python tools/analysis_tools/benchmark.py CONFIG [CKPT] [--compare CONFIG2 [CKPT2]] ... \
        --lr-size 64 64 [--device cpu|cuda] [--precision fp32|fp16|bf16] \
        [--repeats 5] [--warmup 1] [--json OUT]

For each model: a full super-resolution of one LR image (every sampling step, codec,
tiling as configured) and one denoiser step. Timed runs alternate between the models
round by round so machine noise hits all of them; the median, min and max are reported,
with ratios to the first model. Pruned checkpoints load with their original config.
Parameters are those of what runs at test time (AdcSR: the student, not its teacher or
discriminator). ``--device meta`` counts params and MACs of real-size configs without
allocating their weights (no checkpoint, no timing), e.g. SD-size models on a laptop.
"""
import argparse

from pgpsr.analysis.benchmarking import run, to_markdown
from pgpsr.utils.report_files import write_json


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('model', nargs='+', metavar='CONFIG [CKPT]')
    p.add_argument('--compare', nargs='+', action='append', default=[],
                   metavar='CONFIG [CKPT]', help='another model (repeatable)')
    p.add_argument('--lr-size', type=int, nargs=2, default=(64, 64), metavar=('H', 'W'))
    p.add_argument('--device', default='cpu')
    p.add_argument('--precision', default='fp32', choices=['fp32', 'fp16', 'bf16'])
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--json')
    args = p.parse_args(argv)
    for group in [args.model, *args.compare]:
        if len(group) > 2:
            p.error(f'a model is CONFIG [CKPT], got {group}')
    return args


def main(argv=None):
    args = parse_args(argv)
    report = run([args.model, *args.compare], args.lr_size, args.device, args.precision,
                 args.repeats, args.warmup)
    print(f"LR {report['lr_size'][0]}x{report['lr_size'][1]}, {report['device']}, "
          f"{report['precision']}, median of {report['repeats']} (ratios to the first model)")
    print(to_markdown(report))
    write_json(args.json, report)
    return report


if __name__ == '__main__':
    main()
