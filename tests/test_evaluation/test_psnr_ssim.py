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


@pytest.mark.parametrize('to_8bit', ['round', 'truncate'])
def test_psnr_scores_the_sr_quantised_as_the_protocol_saves_it(to_8bit):
    """Oracle for 'truncate': the references' save, torchvision's ToPILImage of
    ``(sr / 2 + 0.5).clamp(0, 1)``; for 'round', numpy's rounding of the same values.
    The two differ on about half the pixels, so each mode is told apart from the other."""
    from torchvision.transforms import ToPILImage
    gt, _ = _photo_pair()
    g = torch.Generator().manual_seed(0)
    sr = (torch.from_numpy(gt).permute(2, 0, 1).float() / 127.5 - 1
          + 0.05 * torch.randn(3, *gt.shape[:2], generator=g)).clamp(-1.02, 1.02)
    if to_8bit == 'truncate':
        saved = np.asarray(ToPILImage()((sr / 2 + 0.5).clamp(0, 1))).astype(np.float64)
    else:
        saved = np.clip(np.round(((sr + 1) * 127.5).permute(1, 2, 0).numpy()), 0, 255)
    metric = METRICS.build(dict(type='PSNRY', to_8bit=to_8bit))
    bgr = lambda rgb: rgb.flip(0)  # noqa: E731  (the preprocessor hands BGR)
    metric.process(None, [dict(output=dict(pred_img=bgr((sr + 1) * 127.5)),
                               gt_img=bgr(torch.from_numpy(gt).permute(2, 0, 1).float()))])
    got = metric.compute_metrics(metric.results)['PSNR']
    assert got == pytest.approx(psnr(gt, saved), abs=1e-9)
    other = 'round' if to_8bit == 'truncate' else 'truncate'
    metric = METRICS.build(dict(type='PSNRY', to_8bit=other))
    metric.process(None, [dict(output=dict(pred_img=bgr((sr + 1) * 127.5)),
                               gt_img=bgr(torch.from_numpy(gt).permute(2, 0, 1).float()))])
    assert abs(metric.compute_metrics(metric.results)['PSNR'] - got) > 0.01


def test_the_paper_protocol_truncates_to_8_bits():
    from mmengine.config import Config
    from tests.test_tools.helpers import ROOT
    paper = Config.fromfile(f'{ROOT}/configs/_base_/evaluation/paper_x4.py')
    for m in paper.paper_metrics + paper.paper_no_reference_metrics:
        assert m.get('to_8bit') == 'truncate', m
    with pytest.raises(ValueError, match='to_8bit'):
        METRICS.build(dict(type='PSNRY', to_8bit='floor'))
