"""AdcSR's UNet surgery on the tiny SD2.1-layout UNet: folding t=999 is exact, removing
cross-attention makes the output independent of the prompt."""
import pytest
import torch

from pgpsr.models.editors.adcsr.unet_surgery import fold_timestep, remove_cross_attention
from pgpsr.models.pretrained.tiny_pretrained import tiny_model


def _inputs():
    torch.manual_seed(0)
    return torch.randn(1, 4, 16, 16), torch.randn(1, 7, 24)


def test_folding_t999_is_exact_and_removes_the_time_path():
    x, ctx = _inputs()
    unet = tiny_model('sd21').eval()
    params = sum(p.numel() for p in unet.parameters())
    with torch.no_grad():
        at999 = unet(x, torch.tensor([999]), encoder_hidden_states=ctx).sample
        at500 = unet(x, torch.tensor([500]), encoder_hidden_states=ctx).sample
    info = fold_timestep(unet, 999)
    assert info['resnets_folded'] == sum(1 for m in unet.modules()
                                         if type(m).__name__ == 'ResnetBlock2D')
    assert not any('time_emb' in n for n, _ in unet.named_parameters())
    assert sum(p.numel() for p in unet.parameters()) < params
    with torch.no_grad():
        for t in (999, 0):  # the timestep no longer matters
            out = unet(x, torch.tensor([t]), encoder_hidden_states=ctx).sample
            assert torch.allclose(out, at999, atol=1e-5), (out - at999).abs().max()
    assert (at500 - at999).abs().max() > 1e-3  # folding another t would be wrong


def test_removing_cross_attention_makes_the_prompt_irrelevant():
    x, ctx = _inputs()
    unet = tiny_model('sd21').eval()
    with torch.no_grad():
        before = [unet(x, torch.tensor([999]), encoder_hidden_states=c).sample
                  for c in (ctx, ctx * 0)]
        assert (before[0] - before[1]).abs().max() > 1e-3
        removed = remove_cross_attention(unet)
        after = [unet(x, torch.tensor([999]), encoder_hidden_states=c).sample
                 for c in (ctx, ctx * 0)]
    assert removed > 0 and not any('attn2' in n for n, _ in unet.named_parameters())
    assert torch.equal(after[0], after[1])


def test_sdxl_style_added_embeddings_are_refused():
    unet = tiny_model('sdxl')
    with pytest.raises(ValueError, match='added embeddings'):
        fold_timestep(unet)
