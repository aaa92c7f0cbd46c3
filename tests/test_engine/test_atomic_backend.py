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


KILLED_SAVER = """
import os, sys, time, torch
import pgpsr.engine  # registers the backend
from mmengine.runner.checkpoint import save_checkpoint
def stall(fd):
    print('written, not yet renamed', flush=True)
    time.sleep(60)
os.fsync = stall
save_checkpoint(dict(state_dict=dict(w=torch.ones(1000))), sys.argv[1],
                backend_args=dict(backend='atomic_local'))
"""


def test_a_kill_during_a_checkpoint_save_keeps_the_previous_checkpoint(tmp_path):
    """A process SIGKILLed inside mmengine's save_checkpoint (the runner's path to the
    backend): the old checkpoint still loads, whole."""
    import signal
    import subprocess
    import sys

    import torch
    from mmengine.runner.checkpoint import save_checkpoint
    path = tmp_path / 'iter_2.pth'
    save_checkpoint(dict(state_dict=dict(w=torch.zeros(1000))), str(path),
                    backend_args=dict(backend='atomic_local'))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen([sys.executable, '-c', KILLED_SAVER, str(path)], cwd=root,
                            env=dict(os.environ, PYTHONPATH=root), stdout=subprocess.PIPE,
                            text=True)
    for line in proc.stdout:  # mmengine may log first
        if line.strip() == 'written, not yet renamed':
            break
    assert proc.poll() is None, 'the save finished before the kill'
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    state = torch.load(path, weights_only=False)['state_dict']
    assert torch.equal(state['w'], torch.zeros(1000))
