"""AdcSR's 75%-width diffusers UNet: the skip-concatenation bookkeeping matches the real
modules, and every tensor is the teacher's slice with the kept channels paired right
(per skip part, per attention head, per GEGLU half); conv_in / conv_out are tiled."""
import pytest
import torch

from pgpsr.models.editors.adcsr.unet_narrowing import narrow_unet, skip_concat_parts, tile_conv
from pgpsr.models.editors.adcsr.unet_surgery import fold_timestep, remove_cross_attention
from pgpsr.models.pretrained import diffusers_archs as archs
from pgpsr.models.pretrained.tiny_pretrained import tiny_model

WIDTHS = dict(block_out_channels=0.75, norm_num_groups=0.75)


@pytest.mark.parametrize('arch', ['sd21', 'sdxl'])
def test_skip_parts_add_up_to_each_decoder_resnet_input(arch):
    unet = tiny_model(arch)
    parts = skip_concat_parts(unet)
    for b, blk in enumerate(unet.up_blocks):
        for i, r in enumerate(blk.resnets):
            assert sum(parts[f'up_blocks.{b}.resnets.{i}.conv1.weight']) == r.conv1.in_channels


def test_skip_parts_of_the_real_sd21_unet():
    from diffusers import UNet2DConditionModel
    with torch.device('meta'):
        unet = UNet2DConditionModel(**archs.SD21_UNET)
    parts = skip_concat_parts(unet)
    assert parts['up_blocks.0.resnets.0.conv1.weight'] == (1280, 1280)
    assert parts['up_blocks.3.resnets.0.conv1.weight'] == (640, 320)
    assert parts['up_blocks.3.resnets.2.conv1.weight'] == (320, 320)


@pytest.fixture(scope='module')
def pair():
    wide = tiny_model('sd21').eval()
    fold_timestep(wide, 999)
    remove_cross_attention(wide)
    return wide, narrow_unet(wide, WIDTHS, in_channels=12, out_channels=8)


def test_widths_heads_and_groups(pair):
    wide, narrow = pair
    assert list(narrow.config.block_out_channels) == [24, 48]
    assert narrow.config.norm_num_groups == 6  # channels per group stay 4, as the teacher's
    a_w = wide.down_blocks[0].attentions[0].transformer_blocks[0].attn1
    a_n = narrow.down_blocks[0].attentions[0].transformer_blocks[0].attn1
    assert a_n.heads == a_w.heads and a_n.to_q.out_features == 24
    assert not any('time_emb' in n or 'attn2' in n for n, _ in narrow.named_parameters())
    assert narrow.conv_in.in_channels == 12 and narrow.conv_out.out_channels == 8


def test_plain_tensors_are_leading_slices(pair):
    wide, narrow = pair
    w, n = wide.state_dict(), narrow.state_dict()
    key = 'down_blocks.0.resnets.0.conv1.weight'
    assert torch.equal(n[key], w[key][:24, :24])
    key = 'down_blocks.0.resnets.0.conv1.bias'  # carries the folded t=999 shift
    assert torch.equal(n[key], w[key][:24])
    key = 'mid_block.resnets.0.norm1.weight'
    assert torch.equal(n[key], w[key][:48])


def test_skip_inputs_keep_each_parts_leading_channels(pair):
    wide, narrow = pair
    w, n = wide.state_dict(), narrow.state_dict()
    key = 'up_blocks.0.resnets.2.conv1.weight'  # reads cat([h: 64, skip: 32])
    want = torch.cat([w[key][:48, :48], w[key][:48, 64:64 + 24]], dim=1)
    assert torch.equal(n[key], want)
    key = 'up_blocks.0.resnets.2.norm1.bias'
    assert torch.equal(n[key], torch.cat([w[key][:48], w[key][64:64 + 24]]))


def test_attention_heads_and_geglu_halves_are_sliced_per_part(pair):
    wide, narrow = pair
    w, n = wide.state_dict(), narrow.state_dict()
    pre = 'up_blocks.1.attentions.0.transformer_blocks.0.'
    heads = 2  # 32 -> 24 channels: 16 -> 12 dims per head
    want = torch.cat([w[pre + 'attn1.to_q.weight'][h * 16:h * 16 + 12, :24]
                      for h in range(heads)])
    assert torch.equal(n[pre + 'attn1.to_q.weight'], want)
    want = torch.cat([w[pre + 'attn1.to_out.0.weight'][:24, h * 16:h * 16 + 12]
                      for h in range(heads)], dim=1)
    assert torch.equal(n[pre + 'attn1.to_out.0.weight'], want)
    inner = w[pre + 'ff.net.0.proj.weight'].shape[0] // 2  # value rows, then gate rows
    want = torch.cat([w[pre + 'ff.net.0.proj.weight'][:inner * 3 // 4, :24],
                      w[pre + 'ff.net.0.proj.weight'][inner:inner + inner * 3 // 4, :24]])
    assert torch.equal(n[pre + 'ff.net.0.proj.weight'], want)



def test_every_attention_keeps_each_heads_leading_dims_in_q_k_v_and_out(pair):
    """Oracle: the teacher's tensors indexed by hand. Head h of width d (teacher) keeps
    its first d' dims (student): rows h*d .. h*d+d' of to_q / to_k / to_v, the same
    columns of to_out; input columns and to_out rows are leading slices."""
    from diffusers.models.attention_processor import Attention
    wide, narrow = pair
    w, n = wide.state_dict(), narrow.state_dict()
    attns = [k for k, m in narrow.named_modules() if isinstance(m, Attention)]
    assert len(attns) >= 3
    for a in attns:
        m = narrow.get_submodule(a)
        heads, d = m.heads, wide.get_submodule(a).to_q.out_features // m.heads
        for p in ('to_q', 'to_k', 'to_v'):
            key = f'{a}.{p}.weight'
            rows, cols = n[key].shape
            keep = rows // heads
            assert keep < d, key  # the heads do narrow
            idx = [h * d + j for h in range(heads) for j in range(keep)]
            assert torch.equal(n[key], w[key][idx][:, :cols]), key
            if f'{a}.{p}.bias' in n:
                assert torch.equal(n[f'{a}.{p}.bias'], w[f'{a}.{p}.bias'][idx]), key
        key = f'{a}.to_out.0.weight'
        rows, cols = n[key].shape
        idx = [h * d + j for h in range(heads) for j in range(cols // heads)]
        assert torch.equal(n[key], w[key][:rows][:, idx]), key
        assert torch.equal(n[f'{a}.to_out.0.bias'], w[f'{a}.to_out.0.bias'][:rows]), key

def test_new_input_and_output_convs_are_tiled_from_the_teachers(pair):
    wide, narrow = pair
    assert torch.equal(narrow.conv_in.weight[:, 4:8], wide.conv_in.weight[:24, :4])
    assert torch.equal(narrow.conv_out.weight[5], wide.conv_out.weight[1, :24])
    avg = tile_conv(wide.conv_in, 8, 32, average_tiles=True)
    assert torch.allclose(avg.weight[:, :4] * 2, wide.conv_in.weight)


def test_narrow_unet_runs_without_timestep_or_prompt(pair):
    _, narrow = pair
    with torch.no_grad():
        out = narrow(torch.randn(2, 12, 16, 24), 0, encoder_hidden_states=None).sample
    assert out.shape == (2, 8, 16, 24) and torch.isfinite(out).all()
