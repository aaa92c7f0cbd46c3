"""The shipped AdcSR demo checkpoints load from their own configs (nothing in work_dirs),
the student is the smaller model, and both super-resolve a held-out photo sensibly."""
import numpy as np

from pgpsr.analysis.held_out import held_out_photos, score
from pgpsr.apis import init_model, super_resolve

CKPT = 'checkpoints/{}.{}'


def load(name):
    return init_model(CKPT.format(name, 'py'), CKPT.format(name, 'pth'))


def params(module):
    return sum(p.numel() for p in module.parameters())


def test_shipped_student_is_smaller_and_restores_a_held_out_photo_in_its_colours():
    """Held-out coffee crop: both above a quality floor; with the configs' wavelet colour
    fix the mean colour stays within 2 levels of the bicubic upscale's (README: up to 21
    levels off without it on unseen photos)."""
    import cv2
    teacher, student = load('adcsr_teacher_demo_x4'), load('adcsr_demo_x4')
    assert params(student.inference_module()) < 0.5 * params(teacher)
    assert teacher.test_cfg['color_fix'] == student.test_cfg['color_fix'] == 'wavelet'
    name, gt, lr = next(iter(held_out_photos()))
    crop_gt, crop_lr = gt[:160, :240], lr[:40, :60]
    bicubic = cv2.resize(crop_lr, (240, 160), interpolation=cv2.INTER_CUBIC)
    for model in (teacher, student):
        sr = super_resolve(model, crop_lr)
        assert sr.shape == crop_gt.shape and sr.dtype == np.uint8
        assert score(crop_gt, sr)['psnr_y'] > 26  # random init: 11-13 dB, bicubic 29.4
        shift = np.abs(sr.reshape(-1, 3).mean(0) - bicubic.reshape(-1, 3).mean(0)).max()
        assert shift < 2, shift


def test_gap_analysis_locates_the_students_loss(tmp_path):
    """adcsr_gap.py on the shipped pair: the pruned decoder decodes encoded GT at least as
    well as the teacher's own VAE decoder, and the student comes close to its distillation
    target (README: on the 21 held-out photos VAE 24.33, pruned decoder 25.29, target
    25.28, student 25.18 dB; on these two embedded photos 25.73 / 28.00 / 27.89 / 27.36)."""
    import json

    from .helpers import run_tool
    out = tmp_path / 'gap.json'
    res = run_tool(['tools/analysis_tools/adcsr_gap.py', CKPT.format('adcsr_demo_x4', 'py'),
                    CKPT.format('adcsr_demo_x4', 'pth'), '--json', str(out)], timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    mean = json.loads(out.read_text())['mean']
    assert mean['pruned_decoder'] > mean['vae'] - 0.3, mean
    assert abs(mean['student'] - mean['target']) < 0.75, mean


def test_student_only_checkpoint_loads_strictly_and_partial_modules_still_fail(tmp_path):
    """strip_checkpoint.py --keep generator. ships the student alone; a checkpoint missing
    only part of the teacher is still refused."""
    import pytest
    import torch
    from mmengine.runner import load_checkpoint

    from .helpers import run_tool
    state = torch.load(CKPT.format('adcsr_demo_x4', 'pth'), weights_only=False)['state_dict']
    assert state and all(k.startswith('generator.') for k in state)
    model = load('adcsr_demo_x4')
    full = dict(model.state_dict())
    torch.save(dict(state_dict=full), tmp_path / 'full.pth')
    res = run_tool(['tools/analysis_tools/strip_checkpoint.py', str(tmp_path / 'full.pth'),
                    str(tmp_path / 'gen.pth'), '--keep', 'generator.'])
    assert res.returncode == 0, res.stderr[-2000:]
    kept = torch.load(tmp_path / 'gen.pth', weights_only=False)['state_dict']
    assert set(kept) == {k for k in full if k.startswith('generator.')}
    one_teacher_key = next(k for k in full if k.startswith('teacher.'))
    torch.save(dict(state_dict={**kept, one_teacher_key: full[one_teacher_key]}),
               tmp_path / 'partial.pth')
    with pytest.raises(RuntimeError, match='missing keys'):
        load_checkpoint(model, str(tmp_path / 'partial.pth'), strict=True, logger='silent')
