"""The held-out protocol: photo sets, the two LR kinds, scores of an identity 'model'."""
import numpy as np
import pytest

from pgpsr.analysis import held_out
from pgpsr.datasets.transforms.matlab_resize import imresize
from tests.test_tools.helpers import ROOT

DEGRADATION = f'{ROOT}/configs/_base_/degradations/realesrgan_x4.py'


def test_embedded_photos_with_matlab_bicubic_and_seeded_realesrgan_lr():
    (name, gt, lr), _ = list(held_out.held_out_photos('embedded'))
    assert name == 'coffee' and gt.shape[0] % 4 == 0 and np.array_equal(lr, imresize(gt, .25))
    a = held_out.make_lr(gt, 'realesrgan', 3, DEGRADATION)
    b = held_out.make_lr(gt, 'realesrgan', 3, DEGRADATION)
    assert a.shape == lr.shape and a.dtype == np.uint8 and np.array_equal(a, b)
    assert not np.array_equal(a, held_out.make_lr(gt, 'realesrgan', 4, DEGRADATION))
    with pytest.raises(ValueError, match='degradation_config'):
        held_out.make_lr(gt, 'realesrgan', 3)  # the package reads no repository path
    with pytest.raises(ValueError, match='unknown LR kind'):
        held_out.make_lr(gt, 'nearest')


def test_photo_set_needs_make_data(monkeypatch, tmp_path):
    monkeypatch.setitem(held_out.PHOTO_SETS, 'photos', str(tmp_path / 'missing'))
    with pytest.raises(FileNotFoundError, match='make data'):
        next(held_out.held_out_photos('photos'))
    with pytest.raises(ValueError, match='unknown photo set'):
        next(held_out.held_out_photos('mate'))


def test_bicubic_row_scores_the_matlab_upscale(monkeypatch):
    monkeypatch.setattr(held_out, 'super_resolve', lambda model, lr: model(lr))
    up = lambda lr: imresize(lr, 4)  # noqa: E731 - a 'model' that is bicubic itself
    res = held_out.evaluate_held_out(dict(same=up))
    assert res['mean']['same'] == res['mean']['bicubic']
    assert 20 < res['mean']['bicubic']['psnr_y'] < 40


def test_colour_shift_is_the_largest_mean_channel_difference():
    import numpy as np

    from pgpsr.analysis.held_out import colour_shift
    ref = np.full((4, 4, 3), 100, np.uint8)
    img = ref.copy()
    img[..., 1] = 103
    img[0, 0, 2] = 116  # +16 on one of 16 pixels: +1 level on average
    assert colour_shift(img, ref) == 3.0 and colour_shift(ref, ref) == 0.0
    img[..., 1] = 90
    assert colour_shift(img, ref) == 10.0
