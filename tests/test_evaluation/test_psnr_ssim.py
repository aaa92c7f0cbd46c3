import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

from pgpsr.evaluation.metrics import psnr, rgb_to_y, ssim
from pgpsr.registry import METRICS


def _photo_pair():
    import skimage.data
    gt = skimage.data.astronaut()[100:196, 100:196].astype(np.float64)
    rng = np.random.default_rng(0)
    pred = np.clip(gt + rng.normal(0, 8, gt.shape), 0, 255).round()
    return gt, pred


def test_y_conversion_matches_bt601_matlab_constants():
    # MATLAB rgb2ycbcr: white -> 235, black -> 16, pure red -> 81.481
    assert rgb_to_y(np.array([[[255, 255, 255]]]))[0, 0] == pytest.approx(235.0, abs=1e-3)
    assert rgb_to_y(np.array([[[0, 0, 0]]]))[0, 0] == pytest.approx(16.0)
    assert rgb_to_y(np.array([[[255, 0, 0]]]))[0, 0] == pytest.approx(81.481)


def test_psnr_known_value_from_a_constant_offset():
    gt = np.full((20, 20, 3), 100.0)
    pred = gt + 10.0  # Y changes by 10 * (65.481 + 128.553 + 24.966) / 255 = 8.588...
    dy = 10 * (65.481 + 128.553 + 24.966) / 255
    assert psnr(gt, pred, crop_border=4) == pytest.approx(10 * np.log10(255 ** 2 / dy ** 2))
    assert psnr(gt, gt) == float('inf')


def test_ssim_matches_scikit_image_independently():
    gt, pred = _photo_pair()
    ours = ssim(gt, pred, crop_border=4)
    a, b = rgb_to_y(gt)[4:-4, 4:-4], rgb_to_y(pred)[4:-4, 4:-4]
    ref = structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
                                use_sample_covariance=False, data_range=255)
    assert ours == pytest.approx(ref, abs=2e-3)
    assert 0.3 < ours < 0.99


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match='shapes differ'):
        psnr(np.zeros((8, 8, 3)), np.zeros((8, 9, 3)))


def test_registered_metrics_read_bgr_tensors_like_the_evaluator_gives_them():
    gt, pred = _photo_pair()
    to_bgr_chw = lambda x: torch.from_numpy(x[..., ::-1].copy()).permute(2, 0, 1)  # noqa
    sample = dict(gt_img=to_bgr_chw(gt), output=dict(pred_img=to_bgr_chw(pred)))
    for name, fn in (('PSNRY', psnr), ('SSIMY', ssim)):
        metric = METRICS.build(dict(type=name, crop_border=4))
        metric.process({}, [sample, sample])
        value = list(metric.compute_metrics(metric.results).values())[0]
        assert value == pytest.approx(fn(gt, pred, crop_border=4))
