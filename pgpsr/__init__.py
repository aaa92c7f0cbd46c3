"""pgpsr: efficient diffusion super-resolution (PGP-DiffSR, AdcSR) in OpenMMLab style."""
from . import compat  # noqa: F401  (must come first: fixes imports of mmagic/mmcv)
from .version import __version__

__all__ = ['__version__', 'register_all_modules']


def register_all_modules() -> None:
    """Import every module that registers classes, mmagic's included (tools call this)."""
    from mmagic.utils import register_all_modules as register_mmagic
    register_mmagic(init_default_scope=False)
    from . import datasets, engine, evaluation, models  # noqa: F401
