"""tools/analysis_tools/gpu_check.py in its tiny mode on the CPU: every section runs, and
its numbers say what the sections claim (the pruned step counts fewer MACs, the student
is faster than OSEDiff, the training step distils); MFU needs a known card, so none here."""
import json

import pytest
import torch

from tests.test_tools.helpers import run_tool


def test_tiny_mode_runs_every_section(tmp_path):
    out = tmp_path / 'gpu_check.json'
    res = run_tool(['tools/analysis_tools/gpu_check.py', '--tiny', '--device', 'cpu',
                    '--repeats', '1', '--out', str(out)], timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads(out.read_text())
    sections = report['sections']
    assert set(sections) == {'denoiser_steps', 'one_step_sr', 'tiled_sr', 'training_step'}
    assert not [k for k, v in sections.items() if 'error' in v]
    assert report['peak_bf16_flops'] is None and report['card'] is None
    for arch, step in sections['denoiser_steps']['result'].items():
        rows = step['rows']
        assert rows['pruned']['macs'] < rows['unpruned']['macs'], arch
        assert rows['pruned']['params'] < rows['unpruned']['params'], arch
        assert rows['unpruned']['mfu'] is None and rows['unpruned']['tflops'] >= 0
        want = 2 * rows['pruned']['macs'] / rows['pruned']['latency']['median_s'] / 1e12
        assert abs(rows['pruned']['tflops'] - round(want, 3)) <= 1e-3
    sr = sections['one_step_sr']['result']
    assert set(sr) >= {'osediff', 'adcsr_student'} and sr['precision'] == 'bf16'
    assert sr['adcsr_student']['ratio']['latency'] > 0
    tiled = sections['tiled_sr']['result']
    assert tiled['sr'] == [256, 256] and tiled['latency']['runs'] == 1
    train = sections['training_step']['result']
    assert {'loss_diffusion', 'loss_distill_out', 'loss_distill_feat'} <= set(train['losses'])
    assert train['distill'] == dict(output=1.0, feature=0.5, dtype='bfloat16')


def test_the_real_size_check_needs_a_gpu():
    if torch.cuda.is_available():
        pytest.skip('a GPU is here: the real-size check would run')
    res = run_tool(['tools/analysis_tools/gpu_check.py', '--device', 'cpu'], timeout=300)
    assert res.returncode != 0 and 'no CUDA device' in res.stderr
