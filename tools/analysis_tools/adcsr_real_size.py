"""AdcSR at real size: OSEDiff (SD2.1-base) vs the students its configs build (AdcSR's
and the composed PGP∘AdcSR one), no weights.

    python tools/analysis_tools/adcsr_real_size.py [--lr-size 128 128] [--repeats 3] \
        [--no-latency] [--composed CONFIG | --composed ''] [--out work_dirs/adcsr_real_size]

Params and MACs on the meta device; CPU latency and peak memory of one SR with random
weights, the three models alternating (see pgpsr/analysis/adcsr_real_size.py). Writes
OUT/adcsr_real_size.{json,md}.
"""
import argparse
import os.path as osp

from pgpsr.analysis.adcsr_real_size import count, time_cpu, to_markdown
from pgpsr.utils.report_files import write_report

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs/adcsr/adcsr_osediff_stage1_x4.py')
COMPOSED = osp.join(REPO, 'configs/pgp_adcsr/pgp_adcsr_osediff_stage2_x4.py')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=CONFIG,
                   help='the OSEDiff stage-1 config whose folders get the released architectures')
    p.add_argument('--composed', default=COMPOSED,
                   help="the composed student's config ('' leaves it out)")
    p.add_argument('--lr-size', type=int, nargs=2, default=(128, 128))
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--no-latency', action='store_true', help='params and MACs only')
    p.add_argument('--out', default='work_dirs/adcsr_real_size')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    composed = args.composed or None
    report = dict(counts=count(args.config, args.lr_size, composed))
    if not args.no_latency:
        report['latency'] = time_cpu(args.config, args.lr_size, args.repeats, composed)
    md = to_markdown(report)
    write_report(args.out, 'adcsr_real_size', report, md)
    print(md)


if __name__ == '__main__':
    main()
