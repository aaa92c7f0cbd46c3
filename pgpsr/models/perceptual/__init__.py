"""Frozen perceptual networks read from local weight files: used by losses (models/) and
metrics (evaluation/) alike, so a training loss and its metric are one network."""
from .lpips_net import LPIPSNet
from .vgg_weights import (DEFAULT_VGG16, load_vgg16_features, missing_reason, package_file,
                          vgg16_missing)

__all__ = ['DEFAULT_VGG16', 'LPIPSNet', 'load_vgg16_features', 'missing_reason',
           'package_file', 'vgg16_missing']
