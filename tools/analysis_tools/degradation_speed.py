"""Images/s of the per-image (numpy/OpenCV) and batched (torch) degradation, side by side.

    python tools/analysis_tools/degradation_speed.py configs/_base_/degradations/realesrgan_x4.py \
        --gt-size 256 --batch 16 --rounds 5 [--device cuda] [--json out.json]

Both paths run the same steps on the same real photo crops, alternating round by round
so machine noise hits both; the median round is reported, with the ratio.
"""
import argparse
import json
import statistics
import time

import cv2
import numpy as np
import torch
from mmengine.config import Config
from skimage import data

import pgpsr
from pgpsr.datasets.transforms.degradations import build_steps, degrade_batch
from pgpsr.utils.report_files import write_json


def photo_batch(size: int, n: int) -> np.ndarray:
    """``n`` crops of scikit-image's photos (real content: noise and JPEG cost depend on it)."""
    photos = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    out = []
    for i in range(n):
        p = photos[i % len(photos)]
        if min(p.shape[:2]) < size:  # enlarge small photos to cover the crop
            f = size / min(p.shape[:2])
            p = cv2.resize(p, (max(size, round(p.shape[1] * f)), max(size, round(p.shape[0] * f))),
                           interpolation=cv2.INTER_CUBIC)
        y, x = (i * 37) % (p.shape[0] - size + 1), (i * 53) % (p.shape[1] - size + 1)
        out.append(p[y:y + size, x:x + size])
    return np.stack(out)


def per_image(steps, gts: np.ndarray, seed: int) -> None:
    np.random.seed(seed)
    for gt in gts:
        results = {'gt': gt}
        for s in steps:
            results = s(results)


def batched(steps, gts: torch.Tensor, seed: int, device: str) -> None:
    gen = torch.Generator(device=device).manual_seed(seed)
    degrade_batch(gts, steps, np.random.default_rng(seed), gen)
    if device == 'cuda':
        torch.cuda.synchronize()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='a degradation config (defines `degradation`)')
    p.add_argument('--gt-size', type=int, default=256)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    p.add_argument('--threads', type=int, default=0, help='torch threads (0: leave as is)')
    p.add_argument('--json', help='write the numbers here')
    args = p.parse_args(argv)
    pgpsr.register_all_modules()
    if args.threads:
        torch.set_num_threads(args.threads)
    steps = build_steps(Config.fromfile(args.config).degradation)
    gts = photo_batch(args.gt_size, args.batch)
    gt_t = torch.from_numpy(gts).permute(0, 3, 1, 2).float().div(255).to(args.device)
    batched(steps, gt_t, 0, args.device)  # warm-up
    times = {'per_image': [], 'batched': []}
    for r in range(args.rounds):
        t = time.perf_counter()
        per_image(steps, gts, r)
        times['per_image'].append(time.perf_counter() - t)
        t = time.perf_counter()
        batched(steps, gt_t, r, args.device)
        times['batched'].append(time.perf_counter() - t)
    ips = {k: args.batch / statistics.median(v) for k, v in times.items()}
    report = dict(config=args.config, gt_size=args.gt_size, batch=args.batch,
                  rounds=args.rounds, device=args.device, torch_threads=torch.get_num_threads(),
                  images_per_s=dict(per_image_numpy_1proc=round(ips['per_image'], 1),
                                    batched_torch=round(ips['batched'], 1)),
                  batched_over_per_image=round(ips['batched'] / ips['per_image'], 2))
    print(json.dumps(report, indent=1))
    write_json(args.json, report)
    return report


if __name__ == '__main__':
    main()
