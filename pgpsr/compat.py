"""The one place where pgpsr adapts third-party behaviour to the pinned versions.

Each fix has a one-line reason and a test in tests/test_compat.py that fails without it.
See ../shared/ENVIRONMENT.md (or docs/install.md) for the background.
Imported first by ``pgpsr/__init__.py``, before mmagic.
"""
import contextlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings

import numpy as np
import torch

# 1. numpy 2 removed ``np.bool8``; mmagic/utils/trans_utils.py uses it at import time.
if not hasattr(np, 'bool8'):
    np.bool8 = np.bool_

# 2. mmcv-lite has no compiled ``mmcv._ext``; mmagic's registries import every editor, some
#    of which import ``mmcv.ops`` (deformable convs). Stand-ins raise only when *used*.
MISSING_OP_MESSAGE = ('mmcv.ops.{name} needs full mmcv with compiled ops (pgpsr installs '
                      'mmcv-lite). Install it with `pip install mmcv==2.1.0` (a 15-25 min '
                      'build); pgpsr itself uses no mmcv op.')


class _MissingOpMeta(type):

    def __getattr__(cls, item):
        if item.startswith('__'):
            raise AttributeError(item)
        raise ImportError(MISSING_OP_MESSAGE.format(name=f'{cls.__name__}.{item}'))


def _missing_op(name: str) -> type:
    """A class that can be imported and subclassed but raises a clear error when used."""

    def fail(self, *args, **kwargs):
        raise ImportError(MISSING_OP_MESSAGE.format(name=name))

    return _MissingOpMeta(name, (), {'__init__': fail})


class _StandInOpsModule(types.ModuleType):

    def __getattr__(self, item):
        if item.startswith('__'):
            raise AttributeError(item)
        return _missing_op(item)


class _StandInOpsFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``mmcv.ops`` and ``mmcv.ops.<anything>`` as stand-in modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == 'mmcv.ops' or fullname.startswith('mmcv.ops.'):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StandInOpsModule(spec.name)
        module.__path__ = []
        module.PGPSR_STAND_IN = True
        return module

    def exec_module(self, module):
        pass


def _has_compiled_mmcv_ops() -> bool:
    try:
        importlib.import_module('mmcv._ext')
        return True
    except ImportError:
        return False


if not _has_compiled_mmcv_ops() and not any(
        isinstance(f, _StandInOpsFinder) for f in sys.meta_path):
    for key in [k for k in sys.modules if k == 'mmcv.ops' or k.startswith('mmcv.ops.')]:
        del sys.modules[key]  # a half-imported real mmcv.ops would fail later
    sys.meta_path.insert(0, _StandInOpsFinder())


# 3. torch >= 2.6 loads with ``weights_only=True``, which rejects mmengine's own checkpoints
#    (message hub, history buffers) on resume. Local files are loaded as full pickles:
#    ONLY LOAD CHECKPOINTS YOU TRUST (a pickle can run code).
def load_trusted_local_checkpoint(filename: str, map_location=None):
    """Load a local checkpoint written by pgpsr/mmengine (full pickle; trusted files only)."""
    import os.path as osp
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} does not exist')
    return torch.load(filename, map_location=map_location, weights_only=False)


# 4. mmagic imports diffusers' pre-0.29 module paths and scripts with torch.jit, and
# mmengine's DDP wrappers pass torch's deprecated `broadcast_buffers`: every tool run
# printed FutureWarnings no user can act on. Silence exactly those.
DEPRECATIONS_SILENCED = (
    r'`(DualTransformer2DModel|UNet2DConditionOutput|UNet2DConditionModel|'
    r'Transformer2DModelOutput)` is deprecated',
    r'`torch\.jit\.script` is deprecated',
    r'`broadcast_buffers` is deprecated',
)


def _silence_known_deprecations() -> None:
    for pattern in DEPRECATIONS_SILENCED:
        warnings.filterwarnings('ignore', message=pattern, category=FutureWarning)
    # openai-clip (pyiqa's CLIPIQA; mmagic imports it too) imports pkg_resources
    warnings.filterwarnings('ignore', message='pkg_resources is deprecated as an API',
                            category=UserWarning)


_silence_known_deprecations()


def _register_checkpoint_loader() -> None:
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_trusted_local_checkpoint)


_register_checkpoint_loader()


# 5. pyiqa (0.1.15.post2) downloads every weight on first use into the torch hub directory
#    (torchvision backbones to <hub>/checkpoints, its own files to <hub>/pyiqa, a module
#    constant fixed at import) and MANIQA asks timm for ImageNet ViT weights that its own
#    checkpoint overwrites. pgpsr evaluates offline: while a pyiqa network is built, the hub
#    is a local folder, a download raises naming the file, and timm loads nothing.
class WeightNotFoundError(FileNotFoundError):
    """A weight file pyiqa would have downloaded is not in the local weights folder."""


@contextlib.contextmanager
def pyiqa_offline(hub_dir: str):
    """Build pyiqa networks from ``hub_dir`` (a torch hub folder), never from the network."""
    import os.path as osp

    import timm
    import pyiqa.utils.download_util as download_util

    def refuse(url, dst, *args, **kwargs):
        raise WeightNotFoundError(
            f'{osp.basename(url)} is not at {dst}; pgpsr never downloads: fetch {url} on a '
            f'machine with network access and copy it there')

    def create_model(*args, **kwargs):
        kwargs['pretrained'] = False  # MANIQA's checkpoint holds the whole ViT (strict load)
        return create_timm(*args, **kwargs)

    hub_before, cache_before = torch.hub.get_dir(), download_util.DEFAULT_CACHE_DIR
    create_timm, saved = timm.create_model, (torch.hub.download_url_to_file,
                                              download_util.download_url_to_file)
    torch.hub.set_dir(hub_dir)
    download_util.DEFAULT_CACHE_DIR = osp.join(hub_dir, 'pyiqa')
    torch.hub.download_url_to_file = download_util.download_url_to_file = refuse
    timm.create_model = create_model
    try:
        yield
    finally:
        torch.hub.set_dir(hub_before)
        download_util.DEFAULT_CACHE_DIR = cache_before
        torch.hub.download_url_to_file, download_util.download_url_to_file = saved
        timm.create_model = create_timm
