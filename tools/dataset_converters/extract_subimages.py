"""Cut a folder of large photos (e.g. DIV2K/DF2K HR) into overlapping sub-images.

    python tools/dataset_converters/extract_subimages.py --input data/DF2K/HR \
        --output data/DF2K/multiscale_sub --crop-size 480 --step 240 --workers 8

Unreadable files are listed at the end and do not stop the others; existing sub-images
are kept, so an interrupted run continues where it stopped.
"""
import argparse
import json
import os
import sys
from functools import partial
from multiprocessing import Pool

from tqdm import tqdm

from pgpsr.datasets.subimages import cut_image, list_inputs, summarise


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--input', required=True, help='folder of photos (searched recursively)')
    p.add_argument('--output', required=True, help='folder for the sub-images')
    p.add_argument('--crop-size', type=int, default=480)
    p.add_argument('--step', type=int, default=240, help='stride; < crop-size overlaps')
    p.add_argument('--thresh-size', type=int, default=0,
                   help='add a last tile flush with the border when more than this is left')
    p.add_argument('--compression', type=int, default=3, help='PNG compression 0-9')
    p.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    if not 0 < args.step <= args.crop_size:
        p.error(f'--step must be in (0, crop-size={args.crop_size}], got {args.step}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    inputs = list_inputs(args.input)
    if os.path.abspath(args.input) == os.path.abspath(args.output):
        sys.exit('--output must differ from --input (inputs are never overwritten)')
    os.makedirs(args.output, exist_ok=True)
    work = partial(_cut, out_dir=args.output, crop=args.crop_size, step=args.step,
                   thresh=args.thresh_size, compression=args.compression)
    with Pool(max(1, args.workers)) as pool:
        results = list(tqdm(pool.imap_unordered(work, inputs), total=len(inputs),
                            desc='extract', unit='img'))
    summary = summarise(results)
    for path, err in summary['failed'].items():
        print(f'skipped {path}: {err}', file=sys.stderr)
    print(json.dumps({k: v for k, v in summary.items() if k != 'failed'}
                     | {'failed': len(summary['failed'])}))
    return 1 if summary['failed'] and len(summary['failed']) == len(inputs) else 0


def _cut(item, **kwargs):
    return cut_image(item[0], item[1], **kwargs)


if __name__ == '__main__':
    sys.exit(main())
