import os

import pytest

from pgpsr.engine.atomic_backend import AtomicLocalBackend


def test_put_replaces_whole_file(tmp_path):
    backend = AtomicLocalBackend()
    path = tmp_path / 'sub' / 'ckpt.pth'
    backend.put(b'first', path)
    backend.put(b'second version', path)
    assert path.read_bytes() == b'second version'
    backend.put_text('iter_10.pth', tmp_path / 'last_checkpoint')
    assert (tmp_path / 'last_checkpoint').read_text() == 'iter_10.pth'
    assert sorted(os.listdir(tmp_path / 'sub')) == ['ckpt.pth']  # no temporary left behind


def test_a_failure_during_write_keeps_the_old_file(tmp_path, monkeypatch):
    backend = AtomicLocalBackend()
    path = tmp_path / 'ckpt.pth'
    backend.put(b'good checkpoint', path)

    def crash(fd):
        raise OSError('disk died mid-save')

    monkeypatch.setattr(os, 'fsync', crash)
    with pytest.raises(OSError, match='mid-save'):
        backend.put(b'half', path)
    assert path.read_bytes() == b'good checkpoint'
    assert os.listdir(tmp_path) == ['ckpt.pth']


def test_default_runtime_selects_the_atomic_backend(repo_root):
    from mmengine.config import Config
    cfg = Config.fromfile(os.path.join(repo_root, 'configs/_base_/default_runtime.py'))
    assert cfg.default_hooks.checkpoint.backend_args == dict(backend='atomic_local')
