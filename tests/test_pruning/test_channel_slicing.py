"""Channel slicing: narrower copies keep the wide network's leading channels, per part
for concatenated inputs, and a ratio of 1 reproduces the network exactly."""
import pytest
import torch

from pgpsr.pruning import scale_widths, slice_weights
from pgpsr.registry import MODELS

UNET = dict(type='UNetDenoiser', in_channels=4, block_channels=(32, 64), units_per_level=2,
            attention_levels=(1,), head_dim=16, norm_groups=8)


def test_scale_widths_scales_lists_and_refuses_fractions():
    cfg = scale_widths(UNET, dict(block_channels=0.75, norm_groups=0.75))
    assert cfg['block_channels'] == (24, 48) and cfg['norm_groups'] == 6
    with pytest.raises(ValueError, match='whole'):
        scale_widths(UNET, dict(block_channels=0.7))
    with pytest.raises(KeyError, match='hidden'):
        scale_widths(UNET, dict(hidden=0.5))


def test_ratio_one_reproduces_the_network():
    torch.manual_seed(0)
    wide, copy = MODELS.build(UNET), MODELS.build(UNET)
    for p in wide.parameters():
        p.data.normal_(0, 0.1)
    assert slice_weights(copy, wide) == {}
    x, t = torch.randn(2, 4, 8, 8), torch.tensor([3, 500])
    assert torch.equal(copy(x, t, x), wide(x, t, x))


def test_leading_channels_are_kept_per_concatenated_part():
    torch.manual_seed(0)
    wide = MODELS.build(UNET)
    narrow = MODELS.build(scale_widths(UNET, dict(block_channels=0.75, norm_groups=0.75)))
    left = slice_weights(narrow, wide)
    assert left == {}
    w, n = wide.state_dict(), narrow.state_dict()
    assert torch.equal(n['enc_units.0.resnet.conv1.weight'],
                       w['enc_units.0.resnet.conv1.weight'][:24, :24])
    # decoder unit 0 reads cat([x (64), skip (64)]) -> cat([x (48), skip (48)])
    name = 'dec_units.0.resnet.conv1.weight'
    expected = torch.cat([w[name][:48, :48], w[name][:48, 64:112]], dim=1)
    assert torch.equal(n[name], expected)
    norm = 'dec_units.0.resnet.norm1.weight'
    assert torch.equal(n[norm], torch.cat([w[norm][:48], w[norm][64:112]]))
    # attention: 4 heads of 16 -> 3 heads of 16, the first three kept
    q = 'enc_units.2.attn.transformer_blocks.0.attn1.to_q.weight'
    assert torch.equal(n[q], w[q][:48, :48])
