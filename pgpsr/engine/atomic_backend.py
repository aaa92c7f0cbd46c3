"""A local file backend whose writes are atomic, for checkpoints and ``last_checkpoint``.

mmengine writes checkpoints in place, so a kill during a save can leave a truncated
file that ``--resume`` then picks up. Here every write goes to a temporary file in the
same folder, is fsync'ed, and is renamed over the target (``os.replace`` is atomic on
POSIX): a reader sees the old file or the new one, never half of one. Selected in
``configs/_base_/default_runtime.py`` via ``backend_args=dict(backend='atomic_local')``.
"""
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Union

from mmengine.fileio.backends import LocalBackend, register_backend


def atomic_write_bytes(data: bytes, filepath: Union[str, Path]) -> None:
    """Write ``data`` to ``filepath`` so that no reader ever sees a partial file."""
    filepath = str(filepath)
    folder = osp.dirname(osp.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.tmp_', suffix=osp.basename(filepath), dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class AtomicLocalBackend(LocalBackend):
    """LocalBackend with atomic ``put`` / ``put_text``."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write_bytes(obj, filepath)

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        atomic_write_bytes(obj.encode(encoding), filepath)


register_backend('atomic_local', AtomicLocalBackend, force=True)
