"""The held-out photo protocol behind every quality number in the README.

Whole held-out photos (never trained on), cropped to a multiple of 4, in two LR kinds:
``bicubic`` = MATLAB's antialiased bicubic /4 (the BI protocol of SR papers) and
``realesrgan`` = Real-ESRGAN's second-order degradation with a fixed seed per photo (the
real-world kind; the caller passes its config, the package reads no repository path).
Each model super-resolves the LR through ``super_resolve`` (its own tiling and padding);
PSNR-Y, SSIM-Y and NIQE with a 4 px border. The bicubic row is MATLAB bicubic x4 of the
LR. Photo sets: ``embedded`` (coffee + chelsea from scikit-image, always there) and
``photos`` (data/photos/heldout, made by ``make data``).
``tools/demo.py`` and ``results_table.py`` both use this, so their numbers compare.
"""
import os
import os.path as osp
import time
from typing import Dict, Iterator, Optional, Tuple

import numpy as np
from PIL import Image

from pgpsr.apis import super_resolve
from pgpsr.datasets import EMBEDDED_SPLITS, list_images, read_image
from pgpsr.datasets.embedded import DEFAULT_ROOT, prepare_embedded_photos
from pgpsr.datasets.image_io import to_uint8
from pgpsr.datasets.synthetic_pairs import degrade
from pgpsr.datasets.transforms.matlab_resize import imresize
from pgpsr.evaluation.metrics import niqe_y, psnr, ssim

SCALE = 4
METRICS = ('psnr_y', 'ssim_y', 'niqe')
PHOTO_SETS = dict(embedded=osp.join(DEFAULT_ROOT, 'val'), photos='data/photos/heldout')
LR_KINDS = ('bicubic', 'realesrgan')


def _realesrgan_lr(gt: np.ndarray, seed: int, degradation_config: Optional[str]
                   ) -> np.ndarray:
    from mmengine.config import Config
    if degradation_config is None:
        raise ValueError('realesrgan LR needs degradation_config: a config that defines '
                         '`degradation` (configs/_base_/degradations/realesrgan_x4.py)')
    return degrade(gt, Config.fromfile(degradation_config).degradation, seed)


def make_lr(gt: np.ndarray, kind: str = 'bicubic', seed: int = 0,
            degradation_config: Optional[str] = None) -> np.ndarray:
    """The LR of one GT photo (RGB uint8, sides a multiple of 4) for ``kind``
    (``realesrgan``: the steps of ``degradation_config``'s ``degradation``)."""
    if kind == 'bicubic':
        return imresize(gt, 1 / SCALE)
    if kind == 'realesrgan':
        return _realesrgan_lr(gt, seed, degradation_config)
    raise ValueError(f'unknown LR kind {kind!r}; expected one of {LR_KINDS}')


def held_out_photos(photo_set: str = 'embedded', lr_kind: str = 'bicubic',
                    degradation_config: Optional[str] = None
                    ) -> Iterator[Tuple[str, np.ndarray, np.ndarray]]:
    """(name, GT, LR) of the held-out photos of ``photo_set``, RGB uint8 (LR: ``make_lr``)."""
    if photo_set not in PHOTO_SETS:
        raise ValueError(f'unknown photo set {photo_set!r}; expected one of {list(PHOTO_SETS)}')
    root = PHOTO_SETS[photo_set]
    if photo_set == 'embedded':
        prepare_embedded_photos()
        files = [osp.join(root, osp.splitext(n)[0] + '.png') for n in EMBEDDED_SPLITS['val']]
    else:
        if not osp.isdir(root):
            raise FileNotFoundError(f'{root} does not exist: run `make data` first')
        files = [osp.join(root, f) for f in list_images(root)]
    for i, path in enumerate(files):
        gt = to_uint8(read_image(path).rgb)
        h, w = gt.shape[0] // SCALE * SCALE, gt.shape[1] // SCALE * SCALE
        gt = gt[:h, :w]
        yield (osp.splitext(osp.basename(path))[0], gt,
               make_lr(gt, lr_kind, i, degradation_config))


def colour_shift(img: np.ndarray, ref: np.ndarray) -> float:
    """Largest per-channel difference of the mean RGB level (8-bit) of ``img`` and ``ref``
    (the bicubic upscale): how far a model moved the photo's overall colour."""
    return float(np.abs(img.reshape(-1, 3).astype(np.float64).mean(0) -
                        ref.reshape(-1, 3).astype(np.float64).mean(0)).max())


def score(gt: np.ndarray, img: np.ndarray) -> Dict[str, float]:
    return dict(psnr_y=psnr(gt, img, SCALE), ssim_y=ssim(gt, img, SCALE),
                niqe=niqe_y(img, SCALE))


def evaluate_held_out(models: Dict[str, object], out_dir: Optional[str] = None,
                      progress=lambda it, **kw: it, photo_set: str = 'embedded',
                      lr_kind: str = 'bicubic',
                      degradation_config: Optional[str] = None) -> Dict:
    """Score bicubic and every ``name -> model`` on the held-out photos (LR: ``make_lr``).

    Returns ``dict(images=[per-photo rows], mean={name: {metric: value}}, outputs=...)``;
    ``outputs`` maps photo -> name -> SR image (for comparison panels). SR images are
    saved as ``out_dir/<photo>_<name>.png`` when ``out_dir`` is given.
    """
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    rows, outputs_all = [], {}
    photos = list(held_out_photos(photo_set, lr_kind, degradation_config))
    for stem, gt, lr in progress(photos, desc=f'held-out {photo_set} ({lr_kind} LR)'):
        h, w = gt.shape[:2]
        outputs = {'bicubic': imresize(lr, SCALE)[:h, :w]}
        seconds = {}
        for key, model in progress(list(models.items()), desc=stem, leave=False):
            t = time.perf_counter()
            outputs[key] = super_resolve(model, lr)
            seconds[key] = time.perf_counter() - t
            if out_dir:
                Image.fromarray(outputs[key]).save(osp.join(out_dir, f'{stem}_{key}.png'))
        row = dict(image=stem, lr_size=[h // SCALE, w // SCALE], seconds=seconds)
        row.update({key: dict(score(gt, img), colour_shift=colour_shift(img, outputs['bicubic']))
                    for key, img in outputs.items()})
        row['gt'] = dict(niqe=niqe_y(gt, SCALE))
        rows.append(row)
        outputs_all[stem] = dict(outputs, gt=gt, lr=lr)
    keys = ['bicubic', *models]
    mean = {k: {m: float(np.mean([r[k][m] for r in rows])) for m in METRICS} for k in keys}
    for k in keys:  # the worst photo: a shift on one photo is visible on that photo
        mean[k]['max_colour_shift'] = max(r[k]['colour_shift'] for r in rows)
    mean['gt'] = dict(niqe=float(np.mean([r['gt']['niqe'] for r in rows])))
    return dict(images=rows, mean=mean, outputs=outputs_all, photo_set=photo_set,
                lr_kind=lr_kind)
