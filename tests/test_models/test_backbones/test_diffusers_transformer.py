"""DiffusersTransformerDenoiser on a tiny DiT folder saved with save_pretrained."""
import pytest
import torch
from diffusers import DiTTransformer2DModel

from pgpsr.models.backbones import DroppedBlock
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    return save_tiny_pipeline('dit', str(tmp_path_factory.mktemp('dit')))


def test_output_equals_diffusers_dit_and_dropping_matches(folder):
    ref = DiTTransformer2DModel.from_pretrained(folder, subfolder='transformer').eval()
    bb = MODELS.build(dict(type='DiffusersTransformerDenoiser', pretrained=folder,
                           subfolder='transformer', conditioning='input')).eval()
    assert [n for n, _, _, _ in bb.block_table()] == ['encoder.0', 'bottleneck.1',
                                                      'bottleneck.2', 'decoder.3']
    x, t = torch.randn(2, 4, 8, 8), torch.tensor([3, 999])
    null = torch.full((2,), 10)  # num_embeds_ada_norm: the null class
    with torch.no_grad():
        want = ref(x, t, class_labels=null).sample[:, :4]
        assert want.abs().mean() > 0.05
        assert (bb(x, t) - want).abs().max() <= 1e-5
        bb.drop_block('bottleneck.2')
        ref.transformer_blocks[2] = DroppedBlock()  # an identity taking the block's kwargs
        want = ref(x, t, class_labels=null).sample[:, :4]
        assert (bb(x, t) - want).abs().max() <= 1e-5
        assert bb(torch.randn(1, 4, 6, 10), t[:1]).shape == (1, 4, 6, 10)  # not square
    with pytest.raises(ValueError, match="block 0's norm"):
        bb.drop_block('encoder.0')


def test_concat_widening_is_zero_initialised(folder):
    cat = MODELS.build(dict(type='DiffusersTransformerDenoiser', pretrained=folder,
                            subfolder='transformer', conditioning='concat'))
    plain = MODELS.build(dict(type='DiffusersTransformerDenoiser', pretrained=folder,
                              subfolder='transformer', conditioning='input'))
    x, c, t = torch.randn(1, 4, 8, 8), torch.randn(1, 4, 8, 8), torch.tensor([9])
    with torch.no_grad():
        assert torch.equal(cat(x, t, c), plain(x, t))
    assert cat.transformer.pos_embed.proj.in_channels == 8
