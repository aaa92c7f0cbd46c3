"""Statistics of each Real-ESRGAN degradation step, built from config dicts."""
import math

import cv2
import numpy as np
import pytest
import torch
from skimage import data

from pgpsr.datasets.transforms.degradations.jpeg import jpeg_image
from pgpsr.datasets.transforms.degradations.jpeg_torch import jpeg_batch
from pgpsr.datasets.transforms.degradations.kernels import (KERNEL_TYPES,
                                                            circular_lowpass_kernel,
                                                            sample_blur_kernel)
from pgpsr.registry import TRANSFORMS


def photo(size=96):
    return data.astronaut()[100:100 + size, 180:180 + size].copy()


def hf_energy(img):
    return float(np.mean(cv2.Laplacian(img.astype(np.float32), cv2.CV_32F) ** 2))


def psnr(a, b):
    return 10 * math.log10(1.0 / float(np.mean((a.astype(np.float64) - b) ** 2)))


def run(step_cfg, results, seed=0):
    np.random.seed(seed)
    return TRANSFORMS.build(step_cfg)(results)


@pytest.mark.parametrize('kind', KERNEL_TYPES)
def test_each_kernel_type_sums_to_one_and_is_padded(kind):
    rng = np.random.default_rng(0)
    for _ in range(5):
        k = sample_blur_kernel(rng, kernel_list=[kind], kernel_prob=[1], sinc_prob=0)
        assert k.shape == (21, 21) and abs(k.sum() - 1) < 1e-6 and (k >= -1e-9).all()
        # a point-symmetric kernel (rotated gaussians are) peaks at the centre
        assert np.allclose(k, k[::-1, ::-1], atol=1e-8) and k.argmax() == 21 * 10 + 10


def test_sinc_kernel_sums_to_one_and_rings():
    k = circular_lowpass_kernel(math.pi / 4, 21)
    assert abs(k.sum() - 1) < 1e-6 and k.min() < 0  # negative lobes: ringing
    # a lower cut-off passes less of the spectrum
    hi = np.abs(np.fft.fft2(circular_lowpass_kernel(math.pi / 4, 21)))[10, 10]
    lo = np.abs(np.fft.fft2(circular_lowpass_kernel(math.pi / 1.2, 21)))[10, 10]
    assert hi < lo


def test_kernel_sizes_are_respected_and_bad_keys_named():
    rng = np.random.default_rng(1)
    k = sample_blur_kernel(rng, kernel_list=['iso'], kernel_prob=[1], sinc_prob=0,
                           kernel_sizes=[7], sigma_range=(3, 3))
    assert np.count_nonzero(k.sum(0)) == 7
    with pytest.raises(KeyError, match='sigma'):
        TRANSFORMS.build(dict(type='RandomKernelBlur', kernel=dict(sigma=(1, 2))))
    with pytest.raises(ValueError, match='unknown kernel type'):
        sample_blur_kernel(rng, kernel_list=['box'], kernel_prob=[1], sinc_prob=0)


def test_blur_lowers_high_frequency_energy_more_with_bigger_sigma():
    gt = photo()
    energies = []
    for sigma in (0.5, 1.5, 3.0):
        cfg = dict(type='RandomKernelBlur', kernel=dict(kernel_list=['iso'], kernel_prob=[1],
                                                        sinc_prob=0, sigma_range=(sigma, sigma)))
        energies.append(hf_energy(run(cfg, {'gt': gt})['img']))
    assert hf_energy(gt / 255.0) > energies[0] > energies[1] > energies[2]


@pytest.mark.parametrize('gray', [False, True])
def test_gaussian_noise_std_within_the_range(gray):
    flat = np.full((128, 128, 3), 128, np.uint8)
    cfg = dict(type='RandomNoiseDegradation', sigma_range=(8, 12), gaussian_prob=1,
               gray_prob=float(gray))
    for seed in range(4):
        noise = run(cfg, {'gt': flat}, seed)['img'] - 128 / 255.0
        assert 7.5 <= noise.std() * 255 <= 12.5
        assert np.allclose(noise[..., 0], noise[..., 1]) == gray


def test_poisson_noise_grows_with_scale_and_brightness():
    img = np.concatenate([np.full((64, 64, 3), 40, np.uint8), np.full((64, 64, 3), 200, np.uint8)])
    img[0, 0] = 0  # three distinct levels -> 4 poisson levels
    stds = []
    for scale in (0.5, 2.0):
        cfg = dict(type='RandomNoiseDegradation', poisson_scale_range=(scale, scale),
                   gaussian_prob=0, gray_prob=0)
        noise = run(cfg, {'gt': img})['img'] - img / 255.0
        stds.append((noise[2:64].std(), noise[64:].std()))
    assert stds[1][0] > 2 * stds[0][0] and stds[0][1] > stds[0][0]


def test_jpeg_quality_is_monotone_for_opencv_and_torch():
    gt = photo(128) / 255.0
    x = torch.from_numpy(gt).permute(2, 0, 1)[None].float()
    cv = [psnr(jpeg_image(gt, q), gt) for q in (10, 30, 60, 95)]
    th = [psnr(jpeg_batch(x, torch.tensor([q]))[0].permute(1, 2, 0).numpy(), gt)
          for q in (10, 30, 60, 95)]
    assert cv == sorted(cv) and th == sorted(th)
    # the torch codec is close to libjpeg at every quality (same tables and subsampling)
    assert all(abs(a - b) < 0.5 for a, b in zip(cv, th))


def test_torch_jpeg_uses_each_samples_own_quality():
    gt = torch.from_numpy(photo(64) / 255.0).permute(2, 0, 1).float()
    out = jpeg_batch(gt[None].repeat(2, 1, 1, 1), torch.tensor([10, 95]))
    single = jpeg_batch(gt[None], torch.tensor([95]))
    assert torch.allclose(out[1], single[0]) and not torch.allclose(out[0], out[1])


def test_resize_sizes_and_modes():
    gt = photo(64)
    down = dict(type='RandomResizeDegradation', scale_range=(0.5, 1.5),
                updown_probs=(0, 1, 0), modes=['area'], mode_probs=[1])
    for seed in range(5):
        h = run(down, {'gt': gt}, seed)['img'].shape[0]
        assert 32 <= h <= 64
    rel = dict(down, updown_probs=(0, 0, 1), target_scale=4)
    assert run(rel, {'gt': gt})['img'].shape[:2] == (16, 16)
    with pytest.raises(ValueError, match='modes'):
        TRANSFORMS.build(dict(type='RandomResizeDegradation', modes=['lanczos'],
                              mode_probs=[1]))


def test_final_step_gives_exactly_gt_over_scale_in_8_bits():
    gt = photo(64)
    out = run(dict(type='RandomFinalResizeSincJPEG', scale=4), {'gt': gt, 'img': gt / 255.0})
    assert out['img'].shape == (16, 16, 3) and out['img'].dtype == np.uint8
    with pytest.raises(ValueError, match='multiple of scale'):
        run(dict(type='RandomFinalResizeSincJPEG', scale=4), {'gt': photo(63)})


def test_sharpen_gt_adds_detail_and_batch_version_matches():
    gt = photo(96)
    usm = TRANSFORMS.build(dict(type='SharpenGT'))
    out = usm({'gt': gt.copy()})['gt']
    assert out.dtype == np.uint8 and hf_energy(out) > 1.05 * hf_energy(gt)
    batch = usm.batch(torch.from_numpy(gt).permute(2, 0, 1)[None].float() / 255)
    diff = np.abs(batch[0].permute(1, 2, 0).numpy() * 255 - out.astype(np.float32))
    assert diff.max() <= 1.0  # rounding only


def test_probability_zero_step_is_skipped():
    gt = photo(32)
    out = run(dict(type='RandomKernelBlur', prob=0.0), {'gt': gt})
    assert np.allclose(out['img'], gt / 255.0)
    with pytest.raises(ValueError, match='prob'):
        TRANSFORMS.build(dict(type='RandomKernelBlur', prob=1.5))


@pytest.mark.parametrize('size,omega', [(7, 1.2), (13, 0.7), (21, 2.9)])
def test_sinc_kernel_equals_mmagics_circular_lowpass(size, omega):
    """Oracle: mmagic's port of Real-ESRGAN's circular_lowpass_kernel (omega fixed by a
    one-point range), padded the same way."""
    from mmagic.datasets.transforms.blur_kernels import random_circular_lowpass_kernel
    from pgpsr.datasets.transforms.degradations.kernels import circular_lowpass_kernel
    want = random_circular_lowpass_kernel((omega, omega), size, pad_to=21)
    got = circular_lowpass_kernel(omega, size, 21)
    assert got.shape == want.shape == (21, 21)
    assert np.allclose(got, want, atol=1e-12), np.abs(got - want).max()
