"""MATLAB-compatible antialiased bicubic: values of mmagic's MATLABLikeResize (the
reference port of MATLAB imresize), the known properties, and BicubicDegradation."""
import numpy as np
import pytest
from mmagic.datasets.transforms import MATLABLikeResize

from pgpsr.datasets.transforms.matlab_resize import imresize, output_size
from pgpsr.registry import TRANSFORMS


@pytest.mark.parametrize('shape, scale', [((64, 64, 3), 0.25), ((37, 51, 3), 0.25),
                                          ((40, 36, 3), 0.5), ((16, 12, 3), 4)])
def test_matches_the_reference_implementation(shape, scale):
    img = np.random.default_rng(0).random(shape).astype(np.float32)
    ref = MATLABLikeResize(keys=['img'], scale=scale)(dict(img=img))['img']
    out = imresize(img, scale)
    assert out.shape == ref.shape == output_size(shape[:2], scale) + (3,)
    assert np.abs(out - ref).max() < 1e-5


def test_antialiasing_removes_what_opencv_aliases():
    """Stripes of period 3 px shrunk by 4 are mostly filtered out with antialiasing;
    OpenCV's INTER_CUBIC (no antialiasing) turns them into a strong false pattern."""
    import cv2
    stripes = ((np.arange(64) % 3 == 0) * 255).astype(np.uint8)[None].repeat(64, 0)
    assert imresize(stripes, 0.25).std() < 10
    assert cv2.resize(stripes, (16, 16), interpolation=cv2.INTER_CUBIC).std() > 60


def test_dtypes_constant_images_and_errors():
    assert (imresize(np.full((20, 20, 3), 77, np.uint8), 0.25) == 77).all()
    out16 = imresize(np.full((8, 8), 60000, np.uint16), 0.5)
    assert out16.dtype == np.uint16 and (out16 == 60000).all()
    with pytest.raises(ValueError, match='scale must be positive'):
        imresize(np.zeros((2, 2, 3), np.uint8), 0)


def test_bicubic_degradation_uses_it():
    gt = (np.random.default_rng(1).random((32, 48, 3)) * 255).astype(np.uint8)
    lq = TRANSFORMS.build(dict(type='BicubicDegradation', scale=4))(dict(gt=gt))['img']
    assert lq.dtype == np.uint8 and lq.shape == (8, 12, 3)
    assert np.array_equal(lq, imresize(gt, 0.25))
