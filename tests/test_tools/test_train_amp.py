"""tools/train.py --amp: the model trains under bf16 autocast on a CPU; on a GPU the
wrapper is fp16 with dynamic loss scaling."""
import importlib.util
import json

import torch

from .helpers import ROOT, run_tool, write_config

BODY = """
custom_imports = dict(imports=['tests.test_tools.probes'], allow_failed_imports=False)
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2, val_interval=1000)
default_hooks = dict(checkpoint=dict(interval=2))
custom_hooks = [dict(type='BackboneDtypeProbe')]
"""


def _train_module():
    spec = importlib.util.spec_from_file_location('pgpsr_train_tool', f'{ROOT}/tools/train.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_amp_trains_in_bf16_on_cpu_and_plain_in_fp32(tmp_path):
    cfg = write_config(tmp_path / 'cfg.py', BODY)
    for flags, dtype in (([], 'torch.float32'), (['--amp'], 'torch.bfloat16')):
        work = tmp_path / (flags[0][2:] if flags else 'plain')
        res = run_tool(['tools/train.py', cfg, '--work-dir', str(work), *flags], timeout=300)
        assert res.returncode == 0, res.stderr[-3000:]
        assert json.loads((work / 'backbone_dtypes.json').read_text()) == [dtype]
        ckpt = torch.load(work / 'iter_2.pth', map_location='cpu', weights_only=False)
        assert all(torch.isfinite(v).all() for v in ckpt['state_dict'].values()
                   if v.is_floating_point())


def test_amp_on_a_gpu_is_fp16_with_dynamic_loss_scaling(monkeypatch, tmp_path):
    train = _train_module()
    cfg = write_config(tmp_path / 'cfg.py', BODY)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    wrapper = train.build_config(train.parse_args([cfg, '--amp'])).optim_wrapper
    assert wrapper.type == 'AmpOptimWrapper' and wrapper.loss_scale == 'dynamic'
    assert 'dtype' not in wrapper  # AmpOptimWrapper's default: float16
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    wrapper = train.build_config(train.parse_args([cfg, '--amp'])).optim_wrapper
    assert wrapper.type == 'CPUAutocastOptimWrapper' and wrapper.dtype == 'bfloat16'
