"""The whole Real-ESRGAN pipeline: per image, per batch, and the two against each other."""
import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from skimage import data

from pgpsr.datasets.transforms.degradations import build_steps, degrade_batch
from pgpsr.registry import TRANSFORMS

CONFIGS = ['configs/_base_/degradations/realesrgan_x4.py',
           'configs/_base_/degradations/adcsr_x4.py']


def steps_of(repo_root, cfg):
    return Config.fromfile(f'{repo_root}/{cfg}').degradation


def crops(n, size=64):
    photos = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    out = []
    for i in range(n):
        p = photos[i % 4]
        y, x = (i * 29) % (p.shape[0] - size), (i * 41) % (p.shape[1] - size)
        out.append(p[y:y + size, x:x + size])
    return np.stack(out)


def stats(lq: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Per-sample degradation strength: error to the area-downscaled GT, LQ detail."""
    ref = cv2.resize(gt, (lq.shape[1], lq.shape[0]), interpolation=cv2.INTER_AREA) / 255.0
    lqf = lq / 255.0
    lap = cv2.Laplacian(lqf.astype(np.float32), cv2.CV_32F)
    return np.array([np.abs(lqf - ref).mean(), np.sqrt((lap ** 2).mean())])


@pytest.mark.parametrize('cfg', CONFIGS)
def test_pipeline_gives_quarter_size_uint8_and_is_seeded(repo_root, cfg):
    pipe = TRANSFORMS.build(dict(type='DegradationPipeline', steps=steps_of(repo_root, cfg)))
    gt = crops(1)[0]
    outs = []
    for seed in (5, 5, 6):
        np.random.seed(seed)
        outs.append(pipe({'gt': gt})['img'])
    assert outs[0].shape == (16, 16, 3) and outs[0].dtype == np.uint8
    assert np.array_equal(outs[0], outs[1]) and not np.array_equal(outs[0], outs[2])


def test_adcsr_ranges_are_milder_than_realesrgan(repo_root):
    gts = crops(48)
    strength = {}
    for cfg in CONFIGS:
        pipe = TRANSFORMS.build(dict(type='DegradationPipeline', steps=steps_of(repo_root, cfg)))
        s = []
        for i, gt in enumerate(gts):
            np.random.seed(i)
            s.append(stats(pipe({'gt': gt})['img'], gt)[0])
        strength[cfg] = np.mean(s)
    assert strength[CONFIGS[1]] < strength[CONFIGS[0]]


def test_batched_and_per_image_agree_in_distribution(repo_root):
    steps_cfg = steps_of(repo_root, CONFIGS[0])
    pipe = TRANSFORMS.build(dict(type='DegradationPipeline', steps=steps_cfg))
    steps = build_steps(steps_cfg)
    n = 96
    gts = crops(n)
    per_image = []
    for i, gt in enumerate(gts):
        np.random.seed(1000 + i)
        per_image.append(stats(pipe({'gt': gt})['img'], gt))
    batched = []
    x = torch.from_numpy(gts).permute(0, 3, 1, 2).float() / 255
    for b in range(0, n, 8):  # resize draws are shared per batch: use many batches
        lq = degrade_batch(x[b:b + 8], steps, np.random.default_rng(b),
                           torch.Generator().manual_seed(b))
        assert lq.shape == (8, 3, 16, 16)
        assert torch.equal(lq, torch.round(lq * 255) / 255)  # 8-bit values
        for j, img in enumerate((lq * 255).round().byte().permute(0, 2, 3, 1).numpy()):
            batched.append(stats(img, gts[b + j]))
    a, c = np.array(per_image), np.array(batched)
    se = np.sqrt(a.var(0) / n + c.var(0) / n)
    assert (np.abs(a.mean(0) - c.mean(0)) < 3.5 * se).all(), (a.mean(0), c.mean(0), se)


def test_each_step_gives_the_same_image_per_batch_as_per_image_for_the_same_params(repo_root):
    gt = crops(1, 48)[0] / 255.0
    x = torch.from_numpy(gt).permute(2, 0, 1)[None].float()
    for cfg in steps_of(repo_root, CONFIGS[0]):
        step = TRANSFORMS.build(cfg)
        if cfg['type'] == 'RandomNoiseDegradation':
            continue  # a random field: compared in distribution above
        for seed in range(3):
            params = step.sample(np.random.default_rng(seed), (48, 48), (48, 48))
            if params.get('mode') == 'area' and cfg['type'] != 'RandomFinalResizeSincJPEG':
                continue  # OpenCV's and torch's area up-sampling differ by design
            a = step.apply(gt.astype(np.float32), params, np.random.default_rng(0))
            b = step.apply_batch(x, [params], torch.Generator())[0].permute(1, 2, 0).numpy()
            assert a.shape == b.shape
            err = np.abs(a - b).mean()
            assert err < 0.02, (cfg['type'], params.get('mode'), err)


def test_only_degradation_steps_are_accepted_in_a_batch():
    with pytest.raises(TypeError, match='not a degradation step'):
        build_steps([dict(type='RandomFlipRotate')])
