"""Colour fixes against their definitions: AdaIN's statistics, and the wavelet fix
against the published StableSR / OSEDiff recipe written out in numpy."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pgpsr.models.color_fix import color_fix, wavelet_fix

KERNEL = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16


def _low_np(img, levels=5):
    """StableSR's wavelet_decomposition low part, by hand: level i blurs with the 3x3
    kernel at dilation 2**i after padding by 2**i, replicating the border (StableSR's and
    OSEDiff's ``F.pad(..., mode='replicate')``)."""
    x = img.astype(np.float64)
    h, w = x.shape[-2:]
    for i in range(levels):
        r = 2 ** i
        p = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(r, r), (r, r)], mode='edge')  # replicate
        x = sum(KERNEL[a, b] * p[..., a * r:a * r + h, b * r:b * r + w]
                for a in range(3) for b in range(3))
    return x


def _wavelet_np(sr, ref):
    """high(sr) + low(ref), high = image - low."""
    return sr - _low_np(sr) + _low_np(ref)


def test_adain_matches_the_references_channel_statistics():
    g = torch.Generator().manual_seed(0)
    lr = torch.rand(1, 3, 16, 16, generator=g) * 2 - 1
    sr = (torch.rand(1, 3, 64, 64, generator=g) * 0.5 + 0.3).clamp(-1, 1)  # colour-shifted
    out = color_fix(sr, lr, 'adain')
    ref = F.interpolate(lr, size=(64, 64), mode='bicubic', align_corners=False)
    assert torch.allclose(out.mean((-2, -1)), ref.mean((-2, -1)), atol=0.02)


@pytest.mark.parametrize('hw', [(40, 48), (10, 12)])  # (10, 12): smaller than radius 16
def test_wavelet_fix_equals_the_published_recipe(hw):
    """Oracle: the a-trous numpy loop above (radii 1, 2, 4, 8, 16)."""
    g = torch.Generator().manual_seed(1)
    sr, ref = (torch.rand(2, 3, *hw, generator=g) - 0.5 for _ in range(2))
    want = _wavelet_np(sr.numpy(), ref.numpy())
    err = float(np.abs(wavelet_fix(sr, ref).numpy() - want).max())
    assert err < 1e-5, f'max |wavelet_fix - oracle| = {err:.3g}'


def test_color_fix_wavelet_equals_the_published_recipe():
    """Same-size LR: its bicubic resize is the identity, so the oracle applies directly
    (then the [-1, 1] clamp). A colour cast pushes some values past the clamp."""
    g = torch.Generator().manual_seed(2)
    lr = torch.rand(1, 3, 32, 32, generator=g) * 1.6 - 0.8
    sr = lr.roll(3, -1) * 0.9 + 0.3 + torch.randn(1, 3, 32, 32, generator=g) * 0.1
    want = np.clip(_wavelet_np(sr.numpy(), lr.numpy()), -1, 1)
    err = float(np.abs(color_fix(sr, lr, 'wavelet').numpy() - want).max())
    assert err < 1e-5, f'max |color_fix - oracle| = {err:.3g}'
    assert np.abs(sr.numpy() - want).max() > 0.1  # the fix does change the image
    with pytest.raises(ValueError, match='color fix'):
        color_fix(sr, lr, 'histogram')
