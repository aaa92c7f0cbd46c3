"""DeviceFSDPStrategy, one process with real FSDP on the CPU (gloo): it keeps the AMP loss
scaler in its checkpoints (mmengine's AmpOptimWrapper methods and torch's GradScaler;
FSDP's optimizer-state conversion alone drops the scaler, and a resume would restart the
fp16 scale at 65536), and it refuses several optimizer wrappers."""
import os.path as osp
import subprocess
import sys

import pytest

from tests.test_tools.helpers import ROOT, free_port, tool_env


def test_the_loss_scale_survives_save_and_load():
    probe = osp.join(osp.dirname(__file__), 'fsdp_scaler_probe.py')
    res = subprocess.run([sys.executable, probe, str(free_port())], cwd=ROOT, env=tool_env(),
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'SCALE 77.0 STEP 1.0' in res.stdout, res.stdout + res.stderr[-2000:]


@pytest.mark.parametrize('wrappers', ['config', 'built', 'one'])
def test_two_optimizer_wrappers_are_refused_by_name(wrappers):
    probe = osp.join(osp.dirname(__file__), 'fsdp_two_optimizers_probe.py')
    res = subprocess.run([sys.executable, probe, str(free_port()), wrappers], cwd=ROOT,
                         env=tool_env(), capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    if wrappers == 'one':  # the probe's model and call are sound: one wrapper prepares
        assert 'PREPARED' in res.stdout, res.stdout + res.stderr[-2000:]
    else:
        assert "REFUSED DeviceFSDPStrategy: one optimizer wrapper only" in res.stdout, \
            res.stdout + res.stderr[-2000:]
        assert "['discriminator', 'generator']" in res.stdout
