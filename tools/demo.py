"""The main job on the embedded default: train a small PGPDiffSR model on the photos that
ship with scikit-image, then super-resolve held-out photos and compare with bicubic.

    python tools/demo.py [--config CFG] [--work-dir work_dirs/demo] [--iters N]

Writes WORK_DIR/report.md, report.json, SR images and a side-by-side comparison PNG.
Re-running reuses the finished training (the checkpoint in WORK_DIR/train).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from PIL import Image  # noqa: E402
from tqdm import tqdm  # noqa: E402

from pgpsr.apis import init_model, load_config, prepare_environment, super_resolve  # noqa
from pgpsr.datasets import EMBEDDED_SPLITS, read_image  # noqa: E402
from pgpsr.datasets.embedded import DEFAULT_ROOT  # noqa: E402
from pgpsr.datasets.image_io import to_uint8  # noqa: E402
from pgpsr.evaluation.metrics import psnr, ssim  # noqa: E402

DEFAULT_CONFIG = 'configs/pgp_diffsr/pgp_dit_s1_tiny_x4.py'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=DEFAULT_CONFIG)
    p.add_argument('--work-dir', default='work_dirs/demo')
    p.add_argument('--iters', type=int, help='override the training length')
    return p.parse_args()


def train(args) -> str:
    cfg = load_config(args.config)
    if args.iters:
        cfg.train_cfg.max_iters = args.iters
    cfg.work_dir = osp.join(args.work_dir, 'train')
    final = osp.join(cfg.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    prepare_environment(cfg, 'none')
    if osp.exists(final):
        print(f'reusing finished training: {final}')
        return final
    if osp.exists(osp.join(cfg.work_dir, 'last_checkpoint')):
        cfg.resume = True  # an interrupted demo continues where it stopped
    Runner.from_cfg(cfg).train()
    return final


def evaluate(args, checkpoint: str) -> dict:
    model = init_model(args.config, checkpoint)
    scale = model.scale
    out_dir = osp.join(args.work_dir, 'images')
    os.makedirs(out_dir, exist_ok=True)
    rows, panels = [], []
    names = EMBEDDED_SPLITS['val']
    for name in tqdm(names, desc='super-resolving held-out photos'):
        stem = osp.splitext(name)[0]
        gt = to_uint8(read_image(osp.join(DEFAULT_ROOT, 'val', stem + '.png')).rgb)
        h, w = (gt.shape[0] // scale) * scale, (gt.shape[1] // scale) * scale
        gt = gt[:h, :w]
        lr = cv2.resize(gt, (w // scale, h // scale), interpolation=cv2.INTER_CUBIC)
        bic = cv2.resize(lr, (w, h), interpolation=cv2.INTER_CUBIC)
        t0 = time.perf_counter()
        sr = super_resolve(model, lr)
        seconds = time.perf_counter() - t0
        Image.fromarray(sr).save(osp.join(out_dir, f'{stem}_sr.png'))
        rows.append(dict(image=stem, lr_size=[h // scale, w // scale],
                         bicubic=dict(psnr_y=psnr(gt, bic, scale), ssim_y=ssim(gt, bic, scale)),
                         model=dict(psnr_y=psnr(gt, sr, scale), ssim_y=ssim(gt, sr, scale)),
                         seconds=seconds))
        c = min(h, w, 192)
        y, x = (h - c) // 2, (w - c) // 2
        crop = lambda im: im[y:y + c, x:x + c]  # noqa: E731
        lr_view = cv2.resize(lr, (w, h), interpolation=cv2.INTER_NEAREST)
        panels.append(np.concatenate([crop(lr_view), crop(bic), crop(sr), crop(gt)], axis=1))
    Image.fromarray(np.concatenate(panels, axis=0)).save(
        osp.join(args.work_dir, 'comparison.png'))
    mean = lambda k, m: float(np.mean([r[k][m] for r in rows]))  # noqa: E731
    return dict(config=args.config, checkpoint=checkpoint, images=rows,
                params=sum(p.numel() for p in model.backbone.parameters()),
                mean=dict(bicubic=dict(psnr_y=mean('bicubic', 'psnr_y'),
                                       ssim_y=mean('bicubic', 'ssim_y')),
                          model=dict(psnr_y=mean('model', 'psnr_y'),
                                     ssim_y=mean('model', 'ssim_y'))))


def write_report(args, report: dict) -> None:
    with open(osp.join(args.work_dir, 'report.json'), 'w') as f:
        json.dump(report, f, indent=2)
    lines = ['# pgpsr demo report', '',
             f"Config `{report['config']}`, checkpoint `{report['checkpoint']}`, "
             f"denoiser parameters {report['params']:,}.",
             'Held-out photos (never trained on), LR = bicubic /4 of the GT; PSNR/SSIM on Y, '
             'border 4.', '',
             '| image | LR size | bicubic PSNR-Y | model PSNR-Y | bicubic SSIM-Y | '
             'model SSIM-Y | model seconds (CPU) |', '|---|---|---|---|---|---|---|']
    for r in report['images']:
        lines.append(f"| {r['image']} | {r['lr_size'][0]}x{r['lr_size'][1]} | "
                     f"{r['bicubic']['psnr_y']:.2f} | {r['model']['psnr_y']:.2f} | "
                     f"{r['bicubic']['ssim_y']:.4f} | {r['model']['ssim_y']:.4f} | "
                     f"{r['seconds']:.2f} |")
    m = report['mean']
    lines.append(f"| **mean** | | {m['bicubic']['psnr_y']:.2f} | {m['model']['psnr_y']:.2f} | "
                 f"{m['bicubic']['ssim_y']:.4f} | {m['model']['ssim_y']:.4f} | |")
    lines += ['', 'comparison.png: LR (nearest) | bicubic | model | GT, centre crops.']
    with open(osp.join(args.work_dir, 'report.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


def main():
    args = parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    checkpoint = train(args)
    write_report(args, evaluate(args, checkpoint))


if __name__ == '__main__':
    main()
