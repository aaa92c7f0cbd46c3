"""Engine parts: the atomic checkpoint backend and hooks."""
import pgpsr.compat  # noqa: F401  (mmagic needs it before import)
# mmagic's MultiOptimWrapperConstructor (one optimizer per top-level module, for GANs such
# as AdcSR) registers itself on import; pgpsr's registry reaches it through its parent.
from mmagic.engine.optimizers import MultiOptimWrapperConstructor  # noqa: F401

from .atomic_backend import AtomicLocalBackend, atomic_write_bytes
from .hooks import *  # noqa: F401, F403

__all__ = ['AtomicLocalBackend', 'atomic_write_bytes']
