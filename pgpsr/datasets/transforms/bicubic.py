"""The classic bicubic (BI) degradation of SR papers: MATLAB's antialiased ``imresize``.

Real-ESRGAN's degradation is separate (``DegradationPipeline``)."""
from typing import Dict

from mmcv.transforms import BaseTransform

from pgpsr.registry import TRANSFORMS
from .matlab_resize import imresize


@TRANSFORMS.register_module()
class BicubicDegradation(BaseTransform):
    """``results['img']`` = MATLAB bicubic down-scale of ``results[gt_key]`` by ``scale``
    (antialiased, as the BI protocol of SR benchmarks)."""

    def __init__(self, scale: int = 4, gt_key: str = 'gt', out_key: str = 'img') -> None:
        self.scale, self.gt_key, self.out_key = scale, gt_key, out_key

    def transform(self, results: Dict) -> Dict:
        gt = results[self.gt_key]
        h, w = gt.shape[:2]
        if h % self.scale or w % self.scale:
            raise ValueError(f'BicubicDegradation: GT {h}x{w} is not a multiple of '
                             f'scale={self.scale}')
        lq = imresize(gt, 1.0 / self.scale)
        results[self.out_key] = lq
        results[f'{self.out_key}_channel_order'] = results.get(f'{self.gt_key}_channel_order',
                                                               'rgb')
        results[f'{self.out_key}_color_type'] = 'color'
        results[f'ori_{self.out_key}_shape'] = lq.shape
        return results
