"""A real-photo SR data set built from free Debian packages, split by source package.

Which files are photographs was checked by eye (the wallpaper packages also hold
graphics). Training crops come from the Lomiri wallpaper photos (large landscapes,
plants, objects, CC-BY/CC-BY-SA/CC0); the held-out set is the classic photos that
``opencv-doc`` ships (fruit, animals, buildings, people, boards): other packages and other
content, never trained on. Every written file is listed in ``manifest.json`` with its
package, version, source path and licence (from the package's DEP-5 copyright file).

``mate-backgrounds`` and ``plasma-workspace-wallpapers`` are reserved for independent
evaluation of this project and are refused here.
"""
import fnmatch
import json
import os
import os.path as osp
import subprocess
from typing import Dict, List, Optional

import numpy as np
from PIL import Image

from .image_io import read_image, to_uint8
from .transforms.matlab_resize import imresize

RESERVED = ('mate-backgrounds', 'plasma-workspace-wallpapers')
LOMIRI = 'usr/share/backgrounds/'
OPENCV = 'usr/share/doc/opencv-doc/examples/'
SOURCES: Dict[str, Dict] = {
    'lomiri-wallpapers-16.04': dict(split='train', files=[LOMIRI + f for f in (
        'Bridge_by_Sander_Klootwijk.jpg', 'Dragonfly_by_Bolly.jpg',
        'Picture_0B_by_freespace.jpg', 'Picture_1A_by_freespace.jpg',
        'Wine_by_Jakkub_Mede.jpg', 'aitzgorri_by_Aitzol_Berasategi.jpg',
        'free_by_Peter_Nerlich.jpg', 'friends_by_Aitzol_Berasategi.jpg',
        'greentock_by_Peter_Nerlich.jpg', 'life_by_Aitzol_Berasategi.jpg',
        'picosdeeuropa_by_Aitzol_Berasategi.jpg', 'seeding_by_Clements_Engelhardt.jpg',
        'sunset_by_Aitzol_Berasategi.jpg')]),
    'lomiri-wallpapers-20.04': dict(split='train',
                                    files=[LOMIRI + 'Kleiber_by_Lukas_Baubkus.jpg']),
    'opencv-doc': dict(split='heldout', files=[OPENCV + f for f in (
        'data/fruits.jpg', 'data/baboon.jpg', 'data/leuvenA.jpg', 'data/squirrel_cls.jpg',
        'data/home.jpg', 'data/aloeL.jpg', 'data/board.jpg', 'data/orange.jpg',
        'data/chicky_512.png', 'data/rubberwhale1.png', 'data/smarties.png',
        'data/messi5.jpg', 'data/graf1.png', 'data/aero3.jpg', 'data/apple.jpg',
        'data/butterfly.jpg', 'data/building.jpg', 'data/right.jpg', 'data/stuff.jpg',
        'reg/home.png', 'dnn_superres/butterfly.png')]),
}


def fetch_packages(names: List[str], root: str) -> Dict[str, str]:
    """``apt-get download`` each package into ``root/debs`` and unpack it into
    ``root/pkgs/<name>``; returns ``name -> version``. Reuses what is already there."""
    refused = sorted(set(names) & set(RESERVED))
    if refused:
        raise ValueError(f'{refused} are reserved for independent evaluation: never train, '
                         'tune or select on them')
    debs, versions = osp.join(root, 'debs'), {}
    os.makedirs(debs, exist_ok=True)
    for name in names:
        have = [f for f in os.listdir(debs) if f.startswith(name + '_')]
        if not have:
            subprocess.run(['apt-get', 'download', name], cwd=debs, check=True)
            have = [f for f in os.listdir(debs) if f.startswith(name + '_')]
        versions[name] = have[0].split('_')[1]
        dest = osp.join(root, 'pkgs', name)
        if not osp.isdir(dest):
            os.makedirs(dest)
            subprocess.run(['dpkg-deb', '-x', osp.join(debs, have[0]), dest], check=True)
    return versions


def licence_of(copyright_text: str, path: str) -> str:
    """The ``License:`` of the DEP-5 stanza whose ``Files:`` pattern best matches ``path``
    (the longest matching pattern; Debian paths are matched by their tail)."""
    best, best_len = 'unknown', -1
    for stanza in copyright_text.split('\n\n'):
        fields = {}
        key = None
        for line in stanza.splitlines():
            if line[:1] in (' ', '\t') and key:
                fields[key] += ' ' + line.strip()
            elif ':' in line:
                key, value = line.split(':', 1)
                fields[key.strip()] = value.strip()
        if 'Files' not in fields or 'License' not in fields:
            continue
        for pattern in fields['Files'].split():
            if fnmatch.fnmatch(path, '*' + pattern) or \
                    osp.basename(pattern) == osp.basename(path):
                if len(pattern) > best_len:
                    best, best_len = fields['License'].splitlines()[0], len(pattern)
    return best


def _random_crops(img: np.ndarray, size: int, count: int, rng: np.random.Generator):
    h, w = img.shape[:2]
    for _ in range(count):
        y, x = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
        yield img[y:y + size, x:x + size]


def build_photo_set(pkg_root: str, out_root: str, versions: Optional[Dict[str, str]] = None,
                    sources: Dict[str, Dict] = SOURCES, crop: int = 256,
                    crops_per_photo: int = 24, train_short_side: int = 1024,
                    heldout_size: int = 256, seed: int = 0) -> Dict:
    """Write ``out_root/train`` (random GT crops) and ``out_root/heldout`` (centre crops).

    Train photos are first downscaled (MATLAB bicubic) to ``train_short_side`` so a crop
    holds scene content rather than sensor noise; held-out photos are centre-cropped to
    ``heldout_size`` px (a multiple of 4). Returns the manifest (also written as JSON).
    """
    rng = np.random.default_rng(seed)
    entries = []
    for name, spec in sources.items():
        if name in RESERVED:
            raise ValueError(f'{name} is reserved for independent evaluation')
        pkg = osp.join(pkg_root, name)
        copyright_file = osp.join(pkg, 'usr/share/doc', name, 'copyright')
        text = open(copyright_file).read() if osp.exists(copyright_file) else ''
        out_dir = osp.join(out_root, spec['split'])
        os.makedirs(out_dir, exist_ok=True)
        for rel in spec['files']:
            src = osp.join(pkg, rel)
            img = to_uint8(read_image(src).rgb)  # clear error if missing or unreadable
            stem = osp.splitext(osp.basename(rel))[0]
            if spec['split'] == 'heldout':
                stem = f"{osp.basename(osp.dirname(rel))}_{stem}"
                s = min(heldout_size, *img.shape[:2]) // 4 * 4
                y, x = (img.shape[0] - s) // 2, (img.shape[1] - s) // 2
                outs = [(f'{stem}.png', img[y:y + s, x:x + s])]
            else:
                short = min(img.shape[:2])
                if short > train_short_side:
                    img = imresize(img, train_short_side / short)
                outs = [(f'{stem}_{k:02d}.png', c) for k, c in
                        enumerate(_random_crops(img, min(crop, *img.shape[:2]),
                                                crops_per_photo, rng))]
            for fname, arr in outs:
                Image.fromarray(np.ascontiguousarray(arr)).save(osp.join(out_dir, fname))
                entries.append(dict(file=f"{spec['split']}/{fname}", package=name,
                                    version=(versions or {}).get(name, 'unknown'),
                                    source=rel, licence=licence_of(text, rel)))
    manifest = dict(seed=seed, crop=crop, reserved_never_used=list(RESERVED), files=entries)
    with open(osp.join(out_root, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    return manifest


def ensure_photo_set(out_root: str = 'data/photos') -> str:
    """``out_root`` as ``make data`` builds it: reused when its manifest exists, else the
    packages are fetched (apt-get download) and the set written. Returns ``out_root``."""
    if not osp.exists(osp.join(out_root, 'manifest.json')):
        cache = osp.join(out_root, 'packages')
        versions = fetch_packages(list(SOURCES), cache)
        build_photo_set(osp.join(cache, 'pkgs'), out_root, versions)
    return out_root
