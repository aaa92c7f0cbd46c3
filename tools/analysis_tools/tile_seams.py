"""Tile seams of tiled SR on the held-out photos (see pgpsr/analysis/tile_seams.py).

    python tools/analysis_tools/tile_seams.py CONFIG CKPT [--photo-set photos|embedded] \
        [--lr-kind bicubic|realesrgan] [--json OUT]

Prints each photo's seam energy tiled and untiled at the tile edges and their ratio:
near 1, no seam; clearly above 1, visible seams.
"""
import argparse
import os.path as osp

from pgpsr.analysis.held_out import held_out_photos
from pgpsr.analysis.tile_seams import seam_report
from pgpsr.apis import init_model
from pgpsr.utils.report_files import write_json

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEGRADATION = osp.join(REPO, 'configs/_base_/degradations/realesrgan_x4.py')  # realesrgan LR


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--photo-set', default='photos', choices=['photos', 'embedded'])
    p.add_argument('--lr-kind', default='bicubic', choices=['bicubic', 'realesrgan'])
    p.add_argument('--json')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    model = init_model(args.config, args.checkpoint)
    photos = ((name, lr) for name, _, lr in held_out_photos(args.photo_set, args.lr_kind,
                                                              DEGRADATION))
    report = seam_report(model, photos)
    for name, r in report['per_image'].items():
        print(f"{name:30s} tiled {r['tiled']:.3f}  untiled {r['untiled']:.3f}  "
              f"ratio {r['ratio']:.3f}")
    print(f"tile {report['tile']} overlap {report['overlap']}: mean ratio "
          f"{report['mean_ratio']:.3f}, max {report['max_ratio']:.3f}")
    write_json(args.json, report)
    return report


if __name__ == '__main__':
    main()
