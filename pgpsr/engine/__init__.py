"""Engine parts: the atomic checkpoint backend, the CPU autocast optim wrapper, FSDP on
any device, hooks."""
import pgpsr.compat  # noqa: F401  (mmagic needs it before import)
# mmagic's MultiOptimWrapperConstructor (one optimizer per top-level module, for GANs such
# as AdcSR) registers itself on import; pgpsr's registry reaches it through its parent.
from mmagic.engine.optimizers import MultiOptimWrapperConstructor  # noqa: F401

from .atomic_backend import AtomicLocalBackend, atomic_write_bytes
from .cpu_autocast_optim_wrapper import CPUAutocastOptimWrapper
from .fsdp_strategy import DeviceFSDPStrategy
from .hooks import *  # noqa: F401, F403

__all__ = ['AtomicLocalBackend', 'CPUAutocastOptimWrapper', 'DeviceFSDPStrategy',
           'atomic_write_bytes']
