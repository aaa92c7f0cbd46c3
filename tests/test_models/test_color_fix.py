"""Colour fixes against their definitions."""
import pytest
import torch
import torch.nn.functional as F

from pgpsr.models.color_fix import color_fix, wavelet_low


def test_adain_matches_the_references_channel_statistics():
    g = torch.Generator().manual_seed(0)
    lr = torch.rand(1, 3, 16, 16, generator=g) * 2 - 1
    sr = (torch.rand(1, 3, 64, 64, generator=g) * 0.5 + 0.3).clamp(-1, 1)  # colour-shifted
    out = color_fix(sr, lr, 'adain')
    ref = F.interpolate(lr, size=(64, 64), mode='bicubic', align_corners=False)
    assert torch.allclose(out.mean((-2, -1)), ref.mean((-2, -1)), atol=0.02)


def test_wavelet_keeps_sr_detail_and_takes_reference_colour():
    g = torch.Generator().manual_seed(1)
    lr = torch.rand(1, 3, 16, 16, generator=g) - 0.5  # no clipping anywhere
    ref = F.interpolate(lr, size=(64, 64), mode='bicubic', align_corners=False)
    detail = torch.randn(1, 3, 64, 64, generator=g) * 0.05
    sr = ref + 0.3 + detail  # a colour cast plus genuine detail
    out = color_fix(sr, lr, 'wavelet')
    assert (out - ref).mean().abs() < 0.01  # the cast is gone
    hi = lambda x: x - wavelet_low(x)  # noqa: E731
    assert torch.allclose(hi(out)[..., 8:-8, 8:-8], hi(sr)[..., 8:-8, 8:-8], atol=0.02)
    with pytest.raises(ValueError, match='color fix'):
        color_fix(sr, lr, 'histogram')
