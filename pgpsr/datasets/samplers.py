"""An infinite sampler whose indices also tell the dataset which draw of a sample it is."""
from mmengine.dataset import InfiniteSampler

from pgpsr.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class SeededInfiniteSampler(InfiniteSampler):
    """Like mmengine's InfiniteSampler, but yields ``epoch * len(dataset) + index``.

    Datasets that understand it (``SRImageFolderDataset``) seed each sample's
    augmentation by (index, epoch), which makes the stream independent of worker count.
    """

    def _infinite_indices(self):
        # super() yields whole permutations of `size` indices, one per epoch
        for count, idx in enumerate(super()._infinite_indices()):
            yield (count // self.size) * self.size + idx
