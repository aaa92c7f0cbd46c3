"""Datasets, samplers and transforms (imported so they register)."""
from .embedded import EMBEDDED_SPLITS, prepare_embedded_photos
from .image_folder import SRImageFolderDataset, list_images
from .image_io import BadImageError, read_image
from .samplers import SeededInfiniteSampler
from .transforms import *  # noqa: F401, F403

__all__ = ['EMBEDDED_SPLITS', 'prepare_embedded_photos', 'SRImageFolderDataset',
           'list_images', 'BadImageError', 'read_image', 'SeededInfiniteSampler']
