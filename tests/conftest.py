"""Shared test set-up: register modules once, run from the repository root (where the
tools and configs resolve their relative paths, whatever directory pytest starts in),
write the embedded photos once."""
import os
import os.path as osp
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
# one thread per pytest-xdist worker (make test runs two), both cores otherwise. Forced in
# a worker: it inherits the controller's environment, where this file ran first and set 2,
# and two workers of two OpenMP threads on two cores ran in-process training 4-13x slower.
if os.environ.get('PYTEST_XDIST_WORKER'):
    os.environ['OMP_NUM_THREADS'] = '1'
else:
    os.environ.setdefault('OMP_NUM_THREADS', '2')

import pgpsr  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))

pgpsr.register_all_modules()


@pytest.fixture(autouse=True, scope='session')
def _from_the_repo_root():
    from pgpsr.datasets.embedded import DEFAULT_ROOT, prepare_embedded_photos
    started_in = os.getcwd()
    os.chdir(ROOT)
    prepare_embedded_photos(osp.join(ROOT, DEFAULT_ROOT))
    yield
    os.chdir(started_in)


@pytest.fixture(scope='session')
def vgg_file(tmp_path_factory):
    """A seeded random VGG16 in torchvision's file format (ImageNet's cannot be
    downloaded here): perceptual tests check computation, not ImageNet features."""
    import torch
    from torchvision.models import vgg16
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('weights') / 'vgg16.pth'
    torch.save(vgg16(weights=None).state_dict(), path)
    return str(path)


@pytest.fixture
def repo_root():
    return ROOT
