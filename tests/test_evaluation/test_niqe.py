"""NIQE: registered metric from a config dict, the pristine-model numbers, monotonicity."""
import math

import cv2
import numpy as np
import torch
from skimage import data

from pgpsr.evaluation.metrics import niqe_y
from pgpsr.evaluation.metrics.functional import rgb_to_y
from pgpsr.registry import METRICS


def test_niqe_rises_with_blur_and_noise_on_a_real_photo():
    img = data.astronaut().astype(np.float64)
    clean = niqe_y(img, 4)
    blurred = niqe_y(cv2.GaussianBlur(img, (0, 0), 2.0), 4)
    noisy = niqe_y(np.clip(img + np.random.default_rng(0).normal(0, 25, img.shape), 0, 255), 4)
    assert 2 < clean < 8  # natural photos score low; the pristine model is in use
    assert blurred > clean + 1 and noisy > clean + 1


def test_niqe_is_nan_under_two_blocks_and_rgb_order_is_respected():
    assert math.isnan(niqe_y(np.zeros((100, 300, 3)), 4))
    crop = data.coffee()[:128, :128].astype(np.float64)  # one 96 px block: no spread
    assert math.isnan(niqe_y(crop, 4))
    assert not math.isnan(niqe_y(data.coffee()[:128, :256].astype(np.float64), 4))
    # the input is RGB: NIQE of its BT.601 luma, computed here from R, G, B by name
    from mmagic.evaluation.metrics.niqe import niqe
    img = data.coffee().astype(np.float64)
    expected = niqe(rgb_to_y(img).astype(np.float32), 0, input_order='HW')
    assert abs(niqe_y(img) - expected) < 1e-3, (niqe_y(img), expected)
    assert abs(niqe_y(img[..., ::-1].copy()) - expected) > 0.01  # BGR is not the same


def test_metric_from_config_averages_and_skips_small_images():
    metric = METRICS.build(dict(type='NIQEY', crop_border=4))
    big = torch.from_numpy(data.astronaut()[..., ::-1].copy()).permute(2, 0, 1).float()
    small = big[:, :64, :64]
    metric.process(None, [dict(output=dict(pred_img=big)), dict(output=dict(pred_img=small))])
    res = metric.compute_metrics(metric.results)
    assert math.isclose(res['NIQE'], niqe_y(data.astronaut().astype(np.float64), 4), rel_tol=1e-6)
