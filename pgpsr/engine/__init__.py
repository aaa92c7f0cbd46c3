"""Engine parts: the atomic checkpoint backend and hooks."""
from .atomic_backend import AtomicLocalBackend, atomic_write_bytes
from .hooks import *  # noqa: F401, F403

__all__ = ['AtomicLocalBackend', 'atomic_write_bytes']
