"""The held-out photo protocol behind every quality number in the README.

Whole held-out photos (never trained on), cropped to a multiple of 4; LR = OpenCV bicubic
/4 of the GT; each model super-resolves the LR through ``super_resolve`` (its own tiling
and padding); PSNR-Y, SSIM-Y and NIQE with a 4 px border. ``tools/demo.py`` and
``tools/analysis_tools/results_table.py`` both use it, so their numbers are comparable.
"""
import os
import os.path as osp
import time
from typing import Dict, Iterator, Optional, Tuple

import cv2
import numpy as np
from PIL import Image

from pgpsr.datasets import EMBEDDED_SPLITS, read_image
from pgpsr.datasets.embedded import DEFAULT_ROOT
from pgpsr.datasets.image_io import to_uint8
from .metrics import niqe_y, psnr, ssim

SCALE = 4
METRICS = ('psnr_y', 'ssim_y', 'niqe')


def held_out_photos(root: str = DEFAULT_ROOT) -> Iterator[Tuple[str, np.ndarray, np.ndarray]]:
    """(name, GT, LR) of the embedded validation photos, RGB uint8."""
    for name in EMBEDDED_SPLITS['val']:
        stem = osp.splitext(name)[0]
        gt = to_uint8(read_image(osp.join(root, 'val', stem + '.png')).rgb)
        h, w = gt.shape[0] // SCALE * SCALE, gt.shape[1] // SCALE * SCALE
        gt = gt[:h, :w]
        yield stem, gt, cv2.resize(gt, (w // SCALE, h // SCALE), interpolation=cv2.INTER_CUBIC)


def score(gt: np.ndarray, img: np.ndarray) -> Dict[str, float]:
    return dict(psnr_y=psnr(gt, img, SCALE), ssim_y=ssim(gt, img, SCALE),
                niqe=niqe_y(img, SCALE))


def evaluate_held_out(models: Dict[str, object], out_dir: Optional[str] = None,
                      progress=lambda it, **kw: it) -> Dict:
    """Score bicubic and every ``name -> model`` on the held-out photos.

    Returns ``dict(images=[per-photo rows], mean={name: {metric: value}}, outputs=...)``;
    ``outputs`` maps photo -> name -> SR image (for comparison panels). SR images are
    saved as ``out_dir/<photo>_<name>.png`` when ``out_dir`` is given.
    """
    from pgpsr.apis import super_resolve
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    rows, outputs_all = [], {}
    for stem, gt, lr in progress(list(held_out_photos()), desc='held-out photos'):
        h, w = gt.shape[:2]
        outputs = {'bicubic': cv2.resize(lr, (w, h), interpolation=cv2.INTER_CUBIC)}
        seconds = {}
        for key, model in progress(list(models.items()), desc=stem, leave=False):
            t = time.perf_counter()
            outputs[key] = super_resolve(model, lr)
            seconds[key] = time.perf_counter() - t
            if out_dir:
                Image.fromarray(outputs[key]).save(osp.join(out_dir, f'{stem}_{key}.png'))
        row = dict(image=stem, lr_size=[h // SCALE, w // SCALE], seconds=seconds)
        row.update({key: score(gt, img) for key, img in outputs.items()})
        row['gt'] = dict(niqe=niqe_y(gt, SCALE))
        rows.append(row)
        outputs_all[stem] = dict(outputs, gt=gt, lr=lr)
    keys = ['bicubic', *models]
    mean = {k: {m: float(np.mean([r[k][m] for r in rows])) for m in METRICS} for k in keys}
    mean['gt'] = dict(niqe=float(np.mean([r['gt']['niqe'] for r in rows])))
    return dict(images=rows, mean=mean, outputs=outputs_all)
