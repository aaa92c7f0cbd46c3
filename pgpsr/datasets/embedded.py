"""The embedded default data set: CC0 photos that ship inside scikit-image.

Training and the demo run with nothing to fetch. Split (fixed, documented in the README):
train = astronaut, rocket, motorcycle_left, hubble_deep_field, ihc
(immunohistochemistry), retina; held out for validation = coffee, chelsea.
"""
import os
import os.path as osp
from typing import Dict

import numpy as np
from PIL import Image

EMBEDDED_SPLITS: Dict[str, tuple] = {
    'train': ('astronaut.png', 'rocket.jpg', 'motorcycle_left.png', 'hubble_deep_field.jpg',
              'ihc.png', 'retina.jpg'),
    'val': ('coffee.png', 'chelsea.png'),
}
DEFAULT_ROOT = 'data/embedded'


def prepare_embedded_photos(root: str = DEFAULT_ROOT) -> str:
    """Write the embedded photos as PNGs under ``root/{train,val}/`` (idempotent)."""
    import skimage.data
    src_dir = osp.dirname(skimage.data.__file__)
    for split, names in EMBEDDED_SPLITS.items():
        os.makedirs(osp.join(root, split), exist_ok=True)
        for name in names:
            path = osp.join(root, split, osp.splitext(name)[0] + '.png')
            if osp.exists(path):
                continue
            img = np.asarray(Image.open(osp.join(src_dir, name)).convert('RGB'))
            tmp = f'{path}.{os.getpid()}.tmp.png'  # parallel test workers
            Image.fromarray(img[..., :3].astype(np.uint8)).save(tmp)
            os.replace(tmp, path)
    return root
