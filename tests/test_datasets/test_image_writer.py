"""write_png: 16-bit precision survives, alpha comes back, a failed or killed write keeps
the previous file and leaves no partial one."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from pgpsr.datasets import read_image
from pgpsr.datasets.image_writer import write_png
from tests.test_tools.helpers import ROOT


def test_16_bit_and_alpha_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    rgb, alpha = rng.random((9, 7, 3)).astype(np.float32), rng.random((9, 7))
    write_png(str(tmp_path / 'deep.png'), rgb, alpha, bit_depth=16)
    back = read_image(str(tmp_path / 'deep.png'))
    assert back.bit_depth == 16
    assert np.abs(back.rgb - rgb).max() <= 0.5 / 65535 + 1e-7  # 8 bits would be 1/510
    assert np.abs(back.alpha - alpha).max() <= 0.5 / 65535 + 1e-7
    write_png(str(tmp_path / 'low.png'), rgb, None, bit_depth=8)
    low = read_image(str(tmp_path / 'low.png'))
    assert low.bit_depth == 8 and np.abs(low.rgb - rgb).max() <= 0.5 / 255 + 1e-7


def test_a_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path, monkeypatch):
    path = tmp_path / 'out.png'
    write_png(str(path), np.zeros((4, 4, 3)))
    before = path.read_bytes()

    def half_then_fail(self, fp, *args, **kw):
        with open(fp, 'wb') as f:
            f.write(b'\x89PNG half')
        raise OSError('disk full')
    monkeypatch.setattr(Image.Image, 'save', half_then_fail)
    with pytest.raises(OSError, match='disk full'):
        write_png(str(path), np.ones((4, 4, 3)))
    assert path.read_bytes() == before and os.listdir(tmp_path) == ['out.png']


KILLED_WRITER = """
import sys, numpy as np
from PIL import Image
from pgpsr.datasets.image_writer import write_png
real = Image.Image.save
def slow_save(self, fp, *a, **kw):
    with open(fp, 'wb') as f:
        f.write(b'\\x89PNG partial')
        f.flush()
        print('writing', flush=True)
        import time; time.sleep(60)
Image.Image.save = slow_save
write_png(sys.argv[1], np.ones((64, 64, 3)))
"""


def test_a_kill_mid_write_keeps_the_old_file(tmp_path):
    path = tmp_path / 'out.png'
    write_png(str(path), np.zeros((4, 4, 3)))
    before = path.read_bytes()
    proc = subprocess.Popen([sys.executable, '-c', KILLED_WRITER, str(path)], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=ROOT), stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == 'writing'
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(0.1)
    assert path.read_bytes() == before
    assert read_image(str(path)).rgb.shape == (4, 4, 3)
