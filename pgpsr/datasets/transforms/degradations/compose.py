"""A whole degradation as one transform, so configs pass the step list around as a value."""
from typing import Dict, Sequence

from mmcv.transforms import BaseTransform

from pgpsr.registry import TRANSFORMS
from .batch import build_steps


@TRANSFORMS.register_module()
class DegradationPipeline(BaseTransform):
    """Run degradation ``steps`` in order on one sample (GT -> ``results['img']``).

    The same ``steps`` list configures ``DegradingDataPreprocessor``, which runs them on
    whole batches instead.
    """

    def __init__(self, steps: Sequence[Dict]) -> None:
        self.steps = build_steps(steps)
        if not self.steps:
            raise ValueError('DegradationPipeline needs at least one step')

    def transform(self, results: Dict) -> Dict:
        for step in self.steps:
            results = step(results)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.steps})'
