"""Image-folder datasets for SR: GT-only (pairs synthesised on the fly) and paired GT/LQ.

Randomness is per sample: each draw of a sample runs its pipeline under an RNG seeded by
``(seed, index, draw)``, where the draw count comes from :class:`SeededInfiniteSampler`.
So the same seed gives the same pairs for any number of workers, and resume replays the
data stream exactly. A file that fails to decode is logged by name and replaced by the
next sample; too many failures stop the run with the list of bad files.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from pgpsr.registry import DATASETS, TRANSFORMS
from pgpsr.utils.seeding import seeded_global_rng
from .image_io import BadImageError

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp', '.ppm')


def list_images(folder: str) -> List[str]:
    """Sorted image files under ``folder`` (recursive), relative to it."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'image folder {folder} does not exist')
    out = []
    for root, _, files in os.walk(folder):
        for f in files:
            if f.lower().endswith(IMG_EXTENSIONS):
                out.append(osp.relpath(osp.join(root, f), folder))
    return sorted(out)


@DATASETS.register_module()
class SRImageFolderDataset(BaseDataset):
    """GT folder (and optionally a matching LQ folder) for x``scale`` SR.

    Three layouts: GT only (the pipeline synthesises LR from GT, and says so in the log),
    GT + the given LR (paired, e.g. RealSR's ``HR/`` + ``LR/``), LR only (``gt_folder=None``:
    no-reference evaluation). A given LR folder whose pipeline never loads it (a bicubic or
    Real-ESRGAN pipeline that remakes LR from GT) is refused: it would score synthetic LR.

    Args:
        data_root: Root folder. gt_folder: GT sub-folder (None: LR only). lq_folder: LQ
            sub-folder (matched to GT by file stem; unmatched files are listed in the error).
        pipeline: Transforms. seed: Base seed of per-sample randomness.
        max_bad_files: Stop with an error when more distinct files than this fail.
    """

    def __init__(self, data_root: str, gt_folder: Optional[str] = '',
                 lq_folder: Optional[str] = None, pipeline: Sequence = (), seed: int = 0,
                 max_bad_files: int = 10, **kwargs) -> None:
        self.gt_folder, self.lq_folder = gt_folder, lq_folder
        self.seed, self.max_bad_files = seed, max_bad_files
        self.bad_files: Dict[str, str] = {}
        # built here so pgpsr's transforms resolve whatever the default scope is
        pipeline = [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline]
        self._check_layout(data_root, pipeline)
        super().__init__(data_root=data_root, pipeline=pipeline, serialize_data=False,
                         **kwargs)

    def _check_layout(self, data_root: str, pipeline: Sequence) -> None:
        loaded = {getattr(t, 'key', None) for t in pipeline if type(t).__name__ == 'LoadSRImage'}
        where = osp.join(data_root, self.lq_folder or '')
        if self.gt_folder is None and self.lq_folder is None:
            raise ValueError('SRImageFolderDataset: give gt_folder, lq_folder or both')
        if self.lq_folder is not None and 'gt' in loaded and 'img' not in loaded:
            raise ValueError(
                f'SRImageFolderDataset: lq_folder={where!r} is given but the pipeline never '
                "loads it (no LoadSRImage(key='img')): it makes LR from GT, so your LR would "
                'be ignored. Evaluate given pairs with tools/test.py CONFIG CKPT --gt DIR '
                '--lq DIR (configs/_base_/datasets/paired_folders_x4.py)')
        elif self.lq_folder is None:
            steps = [type(t).__name__ for t in pipeline
                     if type(t).__name__ not in ('LoadSRImage', 'PackInputs')]
            print_log(f'SRImageFolderDataset: LR synthesised from the GT of '
                      f'{osp.join(data_root, self.gt_folder)} by {steps} (no LR folder given)',
                      logger='current')

    def load_data_list(self) -> List[Dict]:
        if self.gt_folder is None:
            lq_dir = osp.join(self.data_root, self.lq_folder)
            lqs = list_images(lq_dir)
            if not lqs:
                raise FileNotFoundError(f'no images ({", ".join(IMG_EXTENSIONS)}) in {lq_dir}')
            return [dict(img_path=osp.join(lq_dir, f), key=osp.splitext(f)[0]) for f in lqs]
        gt_dir = osp.join(self.data_root, self.gt_folder)
        gts = list_images(gt_dir)
        if not gts:
            raise FileNotFoundError(f'no images ({", ".join(IMG_EXTENSIONS)}) in {gt_dir}')
        if self.lq_folder is None:
            return [dict(gt_path=osp.join(gt_dir, g), key=osp.splitext(g)[0]) for g in gts]
        lq_dir = osp.join(self.data_root, self.lq_folder)
        lqs = {osp.splitext(f)[0]: f for f in list_images(lq_dir)}
        gt_stems = {osp.splitext(g)[0]: g for g in gts}
        missing_lq = sorted(set(gt_stems) - set(lqs))
        missing_gt = sorted(set(lqs) - set(gt_stems))
        if missing_lq or missing_gt:
            raise ValueError(f'paired folders {gt_dir} and {lq_dir} do not match: '
                             f'GT without LQ: {missing_lq}; LQ without GT: {missing_gt}')
        return [dict(gt_path=osp.join(gt_dir, g), img_path=osp.join(lq_dir, lqs[s]), key=s)
                for s, g in sorted(gt_stems.items())]

    def __getitem__(self, idx: int) -> Dict:
        n = len(self)
        sample, draw = idx % n, idx // n
        for attempt in range(n):
            i = (sample + attempt) % n
            info = self.get_data_info(i)
            try:
                with seeded_global_rng(hash((self.seed, i, draw, attempt)) & 0x7FFFFFFF):
                    return self.pipeline(info)
            except BadImageError as exc:
                self._note_bad(info.get('gt_path') or info['img_path'], str(exc))
        raise RuntimeError(f'every image of {self.data_root} failed to load: {self.bad_files}')

    def _note_bad(self, path: str, reason: str) -> None:
        if path not in self.bad_files:
            self.bad_files[path] = reason
            print_log(f'skipping unreadable training image: {reason}', logger='current',
                      level=30)
        if len(self.bad_files) > self.max_bad_files:
            raise RuntimeError(f'{len(self.bad_files)} images failed to load (more than '
                               f'max_bad_files={self.max_bad_files}): {self.bad_files}')
