"""DeviceFSDPStrategy keeps the AMP loss scaler in its checkpoints: one-process FSDP on
the CPU (gloo) with mmengine's AmpOptimWrapper methods and torch's GradScaler; FSDP's
optimizer-state conversion alone drops the scaler, and a resume would restart the fp16
scale at 65536."""
import os.path as osp
import subprocess
import sys

from tests.test_tools.helpers import ROOT, free_port, tool_env


def test_the_loss_scale_survives_save_and_load():
    probe = osp.join(osp.dirname(__file__), 'fsdp_scaler_probe.py')
    res = subprocess.run([sys.executable, probe, str(free_port())], cwd=ROOT, env=tool_env(),
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'SCALE 77.0 STEP 1.0' in res.stdout, res.stdout + res.stderr[-2000:]
