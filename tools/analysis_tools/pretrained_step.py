"""One denoiser step of the real-size pretrained backbones (SD2.1 / SDXL UNets, DiT-XL/2),
unpruned vs pruned as their PGP recipes prune them.

    python tools/analysis_tools/pretrained_step.py [--arch sd21 sdxl dit] [--lr-size 64 64] \
        [--precision fp32 bf16 ...] [--repeats 3] [--out work_dirs/pretrained_step]

Random weights from the released configs (see pgpsr/analysis/denoiser_step.py for why and
what that means); params and MACs on the meta device; latency and peak memory with the two
models alternating in one process; model states per GPU on 8 GPUs for DDP / ZeRO-2 / FSDP.
Writes OUT/pretrained_step.{json,md}.
"""
import argparse

from pgpsr.analysis.denoiser_step import compare
from pgpsr.utils.report_files import write_report


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--arch', nargs='+', default=['sd21', 'sdxl', 'dit'],
                   choices=['sd21', 'sdxl', 'dit'])
    p.add_argument('--precision', nargs='+', default=None,
                   help='one per arch (default: fp32, bf16 for sdxl)')
    p.add_argument('--lr-size', type=int, nargs=2, default=(64, 64))
    p.add_argument('--device', default='cpu')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--out', default='work_dirs/pretrained_step')
    return p.parse_args(argv)


def to_markdown(reports) -> str:
    lines = ['| model | precision | params | MACs | latency (s) | peak mem (MiB) | '
             'model states GiB/GPU, 8 GPUs: DDP / ZeRO-2 / FSDP |',
             '|---|---|---|---|---|---|---|']
    for r in reports:
        for name, row in r['rows'].items():
            ratio = lambda k: f" ({row['ratio'][k]:.2f}x)" if name == 'pruned' else ''  # noqa
            lines.append(f"| {r['arch']} {name} | {r['precision']} | {row['params'] / 1e6:.1f}M"
                         f"{ratio('params')} | {row['macs'] / 1e9:.1f}G{ratio('macs')} | "
                         f"{row['latency']['median_s']:.2f}{ratio('latency')} | "
                         f"{row['peak_mem_mib']:.0f} | "
                         + ' / '.join(f'{v:.1f}' for v in row['states_gib'].values()) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    precisions = args.precision or ['bf16' if a == 'sdxl' else 'fp32' for a in args.arch]
    reports = []
    for arch, precision in zip(args.arch, precisions):
        reports.append(compare(arch, tuple(args.lr_size), args.device, precision,
                               args.repeats))
        print(f"{arch}: removed {len(reports[-1]['removed'])} of {reports[-1]['blocks']} "
              f"blocks: {reports[-1]['removed']}", flush=True)
    md = to_markdown(reports)
    write_report(args.out, 'pretrained_step', reports, md)
    print(md)


if __name__ == '__main__':
    main()
