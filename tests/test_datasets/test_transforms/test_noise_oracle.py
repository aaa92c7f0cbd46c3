"""The noise step against Real-ESRGAN's own noise (BasicSR's basicsr/data/degradations.py,
``generate_gaussian_noise`` / ``generate_poisson_noise`` + ``add_*_noise`` with clip),
written out here from reading it. Given the same random stream, the per-image path must
equal it; the batched torch path (a rounded normal above lambda 16) must match its
statistics."""
import cv2
import numpy as np
import pytest
import torch

from pgpsr.registry import TRANSFORMS


def basicsr_gaussian(img, sigma, gray, rng):
    if gray:
        noise = np.float32(rng.standard_normal(img.shape[:2])) * sigma / 255.
        noise = np.repeat(noise[:, :, None], 3, axis=2)
    else:
        noise = np.float32(rng.standard_normal(img.shape)) * sigma / 255.
    return np.clip(img + noise, 0, 1)


def basicsr_poisson(img, scale, gray, rng):
    src = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if gray else img
    src = np.clip((src * 255.0).round(), 0, 255) / 255.
    vals = 2 ** np.ceil(np.log2(len(np.unique(src))))
    noise = np.float32(rng.poisson(src * vals) / float(vals)) - src
    if gray:
        noise = np.repeat(noise[:, :, None], 3, axis=2)
    return np.clip(img + noise * scale, 0, 1)


def blurred_photo():
    """Not on the 8-bit grid (as after blur and resize): the rounding matters."""
    from skimage import data
    img = data.astronaut()[100:164, 180:244].astype(np.float32) / 255
    return cv2.GaussianBlur(img, (0, 0), 1.3)


def _step(**kw):
    return TRANSFORMS.build(dict(type='RandomNoiseDegradation', **kw))


@pytest.mark.parametrize('gray', [False, True])
def test_gaussian_equals_basicsr_on_the_same_stream(gray):
    img = blurred_photo()
    ours = _step().apply(img, dict(gaussian=True, strength=17.0, gray=gray),
                         np.random.default_rng(3))
    ref = basicsr_gaussian(img, 17.0, gray, np.random.default_rng(3))
    assert ours.shape == ref.shape and np.abs(ours - ref).max() < 1e-6


@pytest.mark.parametrize('gray', [False, True])
def test_poisson_equals_basicsr_on_the_same_stream(gray):
    img = blurred_photo()
    ours = _step().apply(img, dict(gaussian=False, strength=2.5, gray=gray),
                         np.random.default_rng(5))
    ref = basicsr_poisson(img, 2.5, gray, np.random.default_rng(5))
    assert np.abs(ref - img).max() > 0.05  # real noise, not a no-op
    assert np.abs(ours - ref).max() < 1e-5


def test_a_flat_image_has_one_poisson_level_as_in_basicsr():
    img = np.full((32, 32, 3), 0.5, np.float32)
    ours = _step().apply(img, dict(gaussian=False, strength=1.0, gray=False),
                         np.random.default_rng(0))
    assert np.abs(ours - basicsr_poisson(img, 1.0, False, np.random.default_rng(0))).max() < 1e-6


def test_batched_poisson_matches_basicsr_statistics():
    """Mean and spread of the noise per 8-bit level agree with BasicSR's draws on a big
    gradient (lambda from 0 to 255: the exact and the approximated regimes)."""
    ramp = np.tile(np.linspace(0, 1, 256, dtype=np.float32), (256, 1))
    img = np.repeat(ramp[:, :, None], 3, axis=2)
    step = _step()
    ref = basicsr_poisson(img, 1.0, False, np.random.default_rng(0)) - img
    x = torch.from_numpy(img).permute(2, 0, 1)[None]
    ours = step.apply_batch(x, [dict(gaussian=False, strength=1.0, gray=False)],
                            torch.Generator().manual_seed(0))[0].permute(1, 2, 0).numpy() - img
    for cols in (slice(2, 16), slice(16, 64), slice(64, 192), slice(192, 250)):
        r, o = ref[:, cols], ours[:, cols]
        assert abs(o.std() - r.std()) < 0.05 * r.std(), (cols, o.std(), r.std())
        assert abs(o.mean() - r.mean()) < 0.1 * r.std(), (cols, o.mean(), r.mean())
