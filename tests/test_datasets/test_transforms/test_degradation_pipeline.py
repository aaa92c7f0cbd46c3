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


def kernel_width(kernel: np.ndarray) -> float:
    """Blur width: the kernel's RMS radius in pixels (|weights|: sinc lobes are negative)."""
    yy, xx = np.indices(kernel.shape) - (np.array(kernel.shape)[:, None, None] - 1) / 2
    w = np.abs(kernel)
    return float(np.sqrt((w * (yy ** 2 + xx ** 2)).sum() / w.sum()))


def features(params: dict) -> dict:
    """Scalar summary of one step's sampled parameters (kernels by their width)."""
    out = {}
    for k, v in params.items():
        if k == 'kernel':
            out['kernel_width'] = kernel_width(np.asarray(v))
        elif k == 'size':
            out['size'] = float(v[0])
        elif k == 'mode':
            out.update({f'mode={m}': float(v == m) for m in ('area', 'bilinear', 'bicubic')})
        else:
            out[k] = float(v)
    return out


def recorded_params(steps, run):
    """Run ``run()`` with every step's ``sample`` recorded: {step index: [features]}."""
    seen = {i: [] for i in range(len(steps))}
    for i, step in enumerate(steps):
        def spy(*args, _i=i, _sample=step.sample, **kw):
            params = _sample(*args, **kw)
            seen[_i].append(features(params))
            return params
        step.sample = spy
    run()
    return seen


def test_batched_and_per_image_sample_the_same_parameters(repo_root):
    """Per step: how often it runs and every sampled parameter (blur width, noise
    strength, JPEG quality, resize size and mode), per image vs per batch. 640 samples:
    a 20% shift of any parameter's mean or of a step's rate is > 4 standard errors."""
    steps_cfg = steps_of(repo_root, CONFIGS[0])
    n, batch = 640, 8
    gts = crops(n, 32)
    pipe = TRANSFORMS.build(dict(type='DegradationPipeline', steps=steps_cfg))

    def per_image():
        for i, gt in enumerate(gts):
            np.random.seed(1000 + i)
            pipe({'gt': gt})
    a = recorded_params(pipe.steps, per_image)

    steps = build_steps(steps_cfg)
    x = torch.from_numpy(gts).permute(0, 3, 1, 2).float() / 255
    b = recorded_params(steps, lambda: [
        degrade_batch(x[i:i + batch], steps, np.random.default_rng(i),
                      torch.Generator().manual_seed(i)) for i in range(0, n, batch)])
    for i, step in enumerate(steps):
        # draws per image; a resize step draws once per batch
        per = batch if step.shares_batch_params else 1
        rate_a, rate_b = len(a[i]) / n, len(b[i]) * per / n
        se = np.sqrt(step.prob * (1 - step.prob) / (n / per)) + 1e-9
        assert abs(rate_a - rate_b) <= max(4 * se, 0.02), (i, rate_a, rate_b)
        assert abs(rate_a - step.prob) <= max(4 * se, 0.02), (i, rate_a, step.prob)
        for key in a[i][0]:
            va = np.array([f[key] for f in a[i]])
            vb = np.array([f[key] for f in b[i]])
            se = np.sqrt(va.var() / len(va) + vb.var() / len(vb)) + 1e-9
            assert abs(va.mean() - vb.mean()) < 3.5 * se, (i, type(step).__name__, key,
                                                           va.mean(), vb.mean(), se)


def test_each_step_has_the_same_effect_per_batch_as_per_image(repo_root):
    """Same parameters, both paths: the image change agrees (blur, JPEG, sharpening by
    size of the change; resizes pixel for pixel); noise by its measured std."""
    gt = (crops(1, 64)[0] / 255.0).astype(np.float32)
    x = torch.from_numpy(gt).permute(2, 0, 1)[None]
    checked = set()
    for cfg in steps_of(repo_root, CONFIGS[0]):
        step = TRANSFORMS.build(cfg)
        if cfg['type'] == 'RandomNoiseDegradation':
            continue  # a random field: test_noise_has_the_same_strength_...
        for seed in range(6):
            params = step.sample(np.random.default_rng(seed), (64, 64), (64, 64))
            a = step.apply(gt, params, np.random.default_rng(0))
            b = step.apply_batch(x, [params], torch.Generator())[0].permute(1, 2, 0).numpy()
            assert a.shape == b.shape
            err = np.abs(a - b).mean()
            if a.shape != gt.shape:  # a resize: OpenCV's and torch's area up-sampling
                if params.get('mode') != 'area' or a.shape[0] < 64:  # differ by design
                    assert err < 0.02, (cfg['type'], params.get('mode'), err)
                continue
            effect_a, effect_b = np.abs(a - gt).mean(), np.abs(b - gt).mean()
            if effect_a < 1e-3:
                continue  # an identity draw (e.g. a near-delta kernel)
            checked.add(cfg['type'])
            assert abs(effect_a - effect_b) < 0.15 * effect_a, (cfg['type'], effect_a,
                                                                 effect_b)
            assert err < 0.4 * effect_a, (cfg['type'], err, effect_a)
    assert checked == {'RandomKernelBlur', 'RandomJPEGDegradation'}


@pytest.mark.parametrize('params', [
    dict(gaussian=True, strength=10.0, gray=False), dict(gaussian=True, strength=10.0,
                                                         gray=True),
    dict(gaussian=False, strength=2.0, gray=False), dict(gaussian=False, strength=2.0,
                                                         gray=True)])
def test_noise_has_the_same_strength_and_colour_per_batch_as_per_image(params):
    """Residual std within 5% (12288 values: a 20% change is ~30 standard errors) and
    grey noise equal on all channels, both paths; gaussian std = sigma / 255."""
    step = TRANSFORMS.build(dict(type='RandomNoiseDegradation'))
    img = (crops(1, 64)[0] / 255.0 * 0.8 + 0.1).astype(np.float32)  # no clipping
    x = torch.from_numpy(img).permute(2, 0, 1)[None]
    a = step.apply(img, params, np.random.default_rng(0)) - img
    b = step.apply_batch(x, [params], torch.Generator().manual_seed(0))[0]
    b = b.permute(1, 2, 0).numpy() - img
    assert abs(a.std() / b.std() - 1) < 0.05, (a.std(), b.std())
    if params['gaussian']:
        assert abs(b.std() * 255 / params['strength'] - 1) < 0.05
    for r in (a, b):
        channel_diff = np.abs(r[..., 0] - r[..., 1]).mean() / r.std()
        assert channel_diff < 0.05 if params['gray'] else channel_diff > 0.5


def test_only_degradation_steps_are_accepted_in_a_batch():
    with pytest.raises(TypeError, match='not a degradation step'):
        build_steps([dict(type='RandomFlipRotate')])


# AdcSR's config.yml (Guaishou74851/AdcSR), written out from reading it
ADCSR_CONFIG_YML = dict(
    resize_prob=[0.2, 0.7, 0.1], resize_range=[0.3, 1.5], gaussian_noise_prob=0.5,
    noise_range=[1, 15], poisson_scale_range=[0.05, 2.0], gray_noise_prob=0.4,
    jpeg_range=[60, 95], second_blur_prob=0.5, resize_prob2=[0.3, 0.4, 0.3],
    resize_range2=[0.6, 1.2], gaussian_noise_prob2=0.5, noise_range2=[1, 12],
    poisson_scale_range2=[0.05, 1.0], gray_noise_prob2=0.4, jpeg_range2=[60, 100],
    kernel_list=['iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso',
                 'plateau_aniso'], kernel_prob=[0.45, 0.25, 0.12, 0.03, 0.12, 0.03],
    sinc_prob=0.1, blur_sigma=[0.2, 1.5], betag_range=[0.5, 2.0], betap_range=[1, 1.5],
    sinc_prob2=0.1, blur_sigma2=[0.2, 1.0], betag_range2=[0.5, 2.0], betap_range2=[1, 1.5],
    final_sinc_prob=0.8, kernel_range=list(range(7, 22, 2)))


def test_adcsr_config_holds_the_references_config_yml(repo_root):
    blur1, resize1, noise1, jpeg1, blur2, resize2, noise2, final = \
        steps_of(repo_root, 'configs/_base_/degradations/adcsr_x4.py')
    y = ADCSR_CONFIG_YML
    got = dict(
        resize_prob=resize1.updown_probs, resize_range=resize1.scale_range,
        gaussian_noise_prob=noise1.gaussian_prob, noise_range=noise1.sigma_range,
        poisson_scale_range=noise1.poisson_scale_range, gray_noise_prob=noise1.gray_prob,
        jpeg_range=jpeg1.quality_range, second_blur_prob=blur2.prob,
        resize_prob2=resize2.updown_probs, resize_range2=resize2.scale_range,
        gaussian_noise_prob2=noise2.gaussian_prob, noise_range2=noise2.sigma_range,
        poisson_scale_range2=noise2.poisson_scale_range, gray_noise_prob2=noise2.gray_prob,
        jpeg_range2=final.quality_range, kernel_list=blur1.kernel.kernel_list,
        kernel_prob=blur1.kernel.kernel_prob, sinc_prob=blur1.kernel.sinc_prob,
        blur_sigma=blur1.kernel.sigma_range, betag_range=blur1.kernel.betag_range,
        betap_range=blur1.kernel.betap_range, sinc_prob2=blur2.kernel.sinc_prob,
        blur_sigma2=blur2.kernel.sigma_range, betag_range2=blur2.kernel.betag_range,
        betap_range2=blur2.kernel.betap_range, final_sinc_prob=final.sinc_prob,
        kernel_range=blur1.kernel.kernel_sizes)
    assert blur1.prob == 1.0 and blur2.kernel.kernel_sizes == blur1.kernel.kernel_sizes
    diff = {k: (got[k], v) for k, v in y.items() if list(np.atleast_1d(got[k])) !=
            list(np.atleast_1d(v))}
    assert not diff, diff
