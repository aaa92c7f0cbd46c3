"""Loading transforms that accept every photo format read_image accepts."""
from typing import Dict

from mmcv.transforms import BaseTransform

from pgpsr.registry import TRANSFORMS
from ..image_io import read_image, to_uint8


@TRANSFORMS.register_module()
class LoadSRImage(BaseTransform):
    """Read ``results[f'{key}_path']`` into ``results[key]`` as HxWx3 uint8 RGB.

    Grayscale, RGBA (alpha dropped for training), palette and 16-bit files are converted;
    unreadable or truncated files raise ``BadImageError`` naming the file (the dataset
    logs it and moves on). Keys match mmagic's loader so its transforms compose with it.
    """

    def __init__(self, key: str = 'gt', cache: bool = False) -> None:
        self.key = key
        # decoding big PNGs dominates data time on small sets; per-process, unbounded, so
        # only for data sets that fit in memory (the embedded photos)
        self.cache = {} if cache else None

    def transform(self, results: Dict) -> Dict:
        path = results[f'{self.key}_path']
        img = None if self.cache is None else self.cache.get(path)
        if img is None:
            img = to_uint8(read_image(path).rgb)
            if self.cache is not None:
                self.cache[path] = img
        results[self.key] = img
        results[f'ori_{self.key}_shape'] = img.shape
        results[f'{self.key}_channel_order'] = 'rgb'
        results[f'{self.key}_color_type'] = 'color'
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(key={self.key!r}, cache={self.cache is not None})'
