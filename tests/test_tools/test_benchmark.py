"""benchmark.py: two models side by side, ratios to the first, every field present."""
import json

import torch
from mmengine.config import Config

from pgpsr.registry import MODELS
from .helpers import ROOT, run_tool

CONFIG = 'configs/pgp_diffsr/pgp_dit_tiny_x4.py'


def test_pruned_model_has_lower_macs_and_params_in_the_same_run(tmp_path):
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(f'{ROOT}/{CONFIG}').model)
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'full.pth')
    full_params = sum(p.numel() for p in model.parameters())
    model.backbone.drop_block('encoder.0')
    model.backbone.drop_block('decoder.1')
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'pruned.pth')
    out = tmp_path / 'b.json'
    res = run_tool(['tools/analysis_tools/benchmark.py', CONFIG, str(tmp_path / 'full.pth'),
                    '--compare', CONFIG, str(tmp_path / 'pruned.pth'), '--lr-size', '16', '24',
                    '--repeats', '2', '--json', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads(out.read_text())
    full, pruned = report['models']
    assert full['params'] == full_params
    assert pruned['params'] == sum(p.numel() for p in model.parameters())
    for key in ('params', 'macs'):
        assert pruned['ratio'][key] == round(pruned[key] / full[key], 4)
    assert pruned['step']['ratio']['macs'] == round(pruned['step']['macs'] /
                                                    full['step']['macs'], 4)
    assert pruned['ratio']['latency'] == round(pruned['latency']['median_s'] /
                                               full['latency']['median_s'], 4)
    # 2 of 6 equal-width blocks (one with a skip projection) removed
    assert 0.55 < pruned['step']['ratio']['macs'] < 0.75
    assert pruned['ratio']['params'] < 0.8
    assert pruned['macs'] < full['macs']
    assert set(full['ratio'].values()) == {1.0}  # the first model is the reference
    for row in report['models']:
        for lat in (row['latency'], row['step']['latency']):
            assert lat['runs'] == 2 and 0 < lat['min_s'] <= lat['median_s'] <= lat['max_s']
        assert isinstance(row['peak_mem_mib'], float)  # its value: test_apis/test_inference.py
    assert '| pgp_dit_tiny_x4 (pruned.pth) |' in res.stdout


def test_meta_device_counts_adcsr_student_against_its_teacher(tmp_path):
    """Architecture-only counts (no weights allocated, no timing); AdcSR's params are the
    student's alone (not its teacher's or discriminator's)."""
    out = tmp_path / 'meta.json'
    res = run_tool(['tools/analysis_tools/benchmark.py', 'configs/adcsr/adcsr_teacher_tiny_x4.py',
                    '--compare', 'configs/adcsr/adcsr_tiny_stage2_x4.py', '--lr-size', '16', '24',
                    '--device', 'meta', '--json', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    teacher, student = json.loads(out.read_text())['models']
    assert 'latency' not in student and 'peak_mem_mib' not in student
    assert 'step' in teacher and 'step' not in student  # the student has no DenoiserStep
    assert student['ratio']['params'] < 0.5
    assert student['ratio']['macs'] < 0.3
    res = run_tool(['tools/analysis_tools/benchmark.py', 'configs/adcsr/adcsr_teacher_tiny_x4.py',
                    'x.pth', '--device', 'meta'], timeout=300)
    assert res.returncode != 0 and 'architecture only' in res.stderr
