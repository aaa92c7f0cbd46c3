"""LPIPSLoss from a config dict: the LPIPS metric's number times its weight, gradients to
the prediction, the frozen network outside the module's parameters and state dict; off
with a reason without VGG16 weights. (A seeded random VGG16 stands in for ImageNet's,
which cannot be downloaded here; the heads are the lpips wheel's real ones.)"""
import cv2
import numpy as np
import pytest
import torch
from skimage import data

from pgpsr.registry import METRICS, MODELS


def test_weighted_lpips_with_gradients_and_no_saved_weights(vgg_file):
    loss = MODELS.build(dict(type='LPIPSLoss', loss_weight=0.5, vgg16_path=vgg_file))
    assert loss.available and not list(loss.parameters()) and not loss.state_dict()
    gt = cv2.resize(data.coffee(), (64, 48), interpolation=cv2.INTER_AREA)
    pred = np.clip(cv2.GaussianBlur(gt, (0, 0), 1.5).astype(np.int16) + 3, 0, 255)
    t = lambda x: torch.from_numpy(x.astype(np.float32)).permute(2, 0, 1)[None] / 127.5 - 1  # noqa
    x = t(pred).requires_grad_(True)
    value = loss(x, t(gt))
    metric = METRICS.build(dict(type='LPIPS', vgg16_path=vgg_file, device='cpu'))
    expected = metric.score(pred.astype(np.uint8), gt)
    assert value.item() == pytest.approx(0.5 * expected, rel=1e-4)
    value.backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_without_vgg16_the_loss_is_off_and_says_so(tmp_path):
    loss = MODELS.build(dict(type='LPIPSLoss', vgg16_path=str(tmp_path / 'none.pth')))
    assert not loss.available
    with pytest.raises(RuntimeError, match='VGG16 weights missing'):
        loss(torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 8, 8))
