"""Make a DIV2K-Val-style paired test set from HR photos: seeded 512 px crops, each
degraded once by the configured degradation (Real-ESRGAN's, x4, by default).

    python tools/dataset_converters/synthesize_val_pairs.py --input data/DIV2K/DIV2K_valid_HR \
        --output data/DIV2K-Val [--crop 512] [--crops-per-image 30] [--seed 0] \
        [--degradation configs/_base_/degradations/realesrgan_x4.py]

Writes OUTPUT/HR/<photo>_<k>.png and OUTPUT/LR/<photo>_<k>.png (the layout of
configs/_base_/datasets/div2k_val_x4.py) and OUTPUT/synthesis.json (the arguments, so the
set can be rebuilt). The same photos and seed give the same files anywhere (a pair's seed
comes from the seed, the photo's name and the crop index). Photos smaller than the crop
and unreadable files are listed and skipped; existing pairs are kept.
"""
import argparse
import json
import os
import os.path as osp
import sys

from mmengine.config import Config
from tqdm import tqdm

from pgpsr.datasets import list_images, read_image
from pgpsr.datasets.image_io import BadImageError, to_uint8
from pgpsr.datasets.image_writer import write_png
from pgpsr.datasets.synthetic_pairs import synthesize_pairs


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--input', required=True, help='folder of HR photos')
    p.add_argument('--output', required=True, help='writes HR/ and LR/ here')
    p.add_argument('--crop', type=int, default=512, help='HR crop side (LR: crop / 4)')
    p.add_argument('--crops-per-image', type=int, default=1)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--degradation', default='configs/_base_/degradations/realesrgan_x4.py',
                   help='a config whose `degradation` is the list of steps')
    args = p.parse_args(argv)
    if args.crop % 4 or args.crop < 4:
        p.error(f'--crop must be a positive multiple of 4, got {args.crop}')
    return args


def _as_uint8(img):
    return img if img.dtype.name == 'uint8' else to_uint8(img)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isdir(args.input):
        sys.exit(f'--input {args.input} is not a folder')
    try:
        steps = Config.fromfile(args.degradation).degradation
    except (FileNotFoundError, AttributeError, KeyError) as exc:
        sys.exit(f'--degradation {args.degradation}: no `degradation` list ({exc})')
    names = list_images(args.input)
    if not names:
        sys.exit(f'--input {args.input} holds no images')
    for sub in ('HR', 'LR'):
        os.makedirs(osp.join(args.output, sub), exist_ok=True)
    skipped, written = {}, 0
    for name in tqdm(names, desc='pairs', unit='photo'):
        try:
            hr = _as_uint8(read_image(osp.join(args.input, name)).rgb)
            pairs = synthesize_pairs(name, hr, steps, args.crop, args.crops_per_image,
                                     args.seed)
        except (BadImageError, ValueError) as exc:
            skipped[name] = str(exc)
            continue
        for stem, gt, lr in pairs:
            lr_path = osp.join(args.output, 'LR', stem + '.png')
            if osp.exists(lr_path):
                continue
            write_png(osp.join(args.output, 'HR', stem + '.png'), gt / 255.0)
            write_png(lr_path, _as_uint8(lr) / 255.0)
            written += 1
    with open(osp.join(args.output, 'synthesis.json'), 'w') as f:
        json.dump(dict(vars(args), skipped=skipped), f, indent=1)
    for name, why in skipped.items():
        print(f'skipped {name}: {why}', file=sys.stderr)
    print(json.dumps(dict(written=written, skipped=len(skipped))))
    return 1 if len(skipped) == len(names) else 0


if __name__ == '__main__':
    sys.exit(main())
