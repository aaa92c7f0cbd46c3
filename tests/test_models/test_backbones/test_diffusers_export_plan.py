"""Pruned DiffusersUNetDenoisers that diffusers can express export and compute the same
(oracle: diffusers' own ``UNet2DConditionModel`` built from the exported config, run on
the same inputs); the rest are refused with the constraint they break."""
import pytest
import torch

from pgpsr.models.backbones.diffusers_export import NotExportableError, to_diffusers
from pgpsr.models.pretrained.tiny_pretrained import tiny_model
from pgpsr.registry import MODELS


def pruned(arch, names):
    bb = MODELS.build(dict(type='DiffusersUNetDenoiser',
                           config=dict(tiny_model(arch).config))).eval()
    torch.manual_seed(0)
    with torch.no_grad():
        for p in bb.parameters():
            p.normal_(0, 0.1)
    for n in names:
        bb.drop_block(n)
    return bb


EXPRESSIBLE = [
    # an encoder unit with the decoder unit reading its skip, or the one before it
    ('sd21', ['encoder.1.1', 'decoder.1.0'], dict(layers_per_block=[2, 1])),
    ('sd21', ['encoder.1.1', 'decoder.1.1'], dict(layers_per_block=[2, 1])),
    ('sd21', ['encoder.0.0', 'encoder.0.1', 'decoder.0.2', 'decoder.0.1'],
     dict(layers_per_block=[0, 2], transformer_layers_per_block=[[], 1])),
    # mid block: attention + second ResNet gone, then the whole mid block
    ('sd21', ['bottleneck.1'], dict(mid_block_type='UNetMidBlock2D')),
    ('sd21', ['bottleneck.1', 'bottleneck.0', 'encoder.0.1', 'decoder.0.1'],
     dict(mid_block_type=None, layers_per_block=[1, 2])),
    # SDXL: the mid transformer's depth follows the last down block's first transformer
    ('sdxl', ['bottleneck.1.attn.0', 'encoder.2.0.attn.1'],
     dict(transformer_layers_per_block=[1, [2, 2], [2, 3]])),
    ('sdxl', ['encoder.2.1', 'decoder.2.0', 'bottleneck.1'],
     dict(layers_per_block=[2, 2, 1], mid_block_type='UNetMidBlock2D')),
    ('sdxl', ['encoder.1.1', 'decoder.1.1', 'decoder.2.2.attn.0', 'encoder.1.0.attn.1'],
     dict(layers_per_block=[2, 1, 2],
          reverse_transformer_layers_per_block=[[3, 3, 2], [2, 2], [1, 1, 1]])),
]


@pytest.mark.parametrize('arch,names,want', EXPRESSIBLE)
def test_expressible_removals_export_and_compute_the_same(arch, names, want):
    bb = pruned(arch, names)
    unet = to_diffusers(bb).eval()
    for key, value in want.items():
        assert unet.config[key] == value, key
    x, c, t = torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8), torch.tensor([5, 900])
    ehs, added = bb.conditioning_kwargs(2, x.dtype)
    with torch.no_grad():
        ours = bb(x, t, c)
        theirs = unet(torch.cat([x, c], 1), t, encoder_hidden_states=ehs,
                      added_cond_kwargs=added).sample
    assert ours.abs().mean() > 0.05
    assert (theirs - ours).abs().max() <= 1e-5
    assert sum(p.numel() for p in unet.parameters()) == sum(p.numel() for p in bb.parameters())


REFUSED = [
    ('sd21', ['decoder.1.1'], r"decoder units \['decoder.1.1'\] are all removed, so no "
                              r"decoder unit reads the output of encoder.1.0"),
    ('sd21', ['encoder.1.1'], r"decoder units \['decoder.1.0', 'decoder.1.1'\] all read the "
                              r"output of encoder.1.0 \(removed encoder units \['encoder.1.1'\]"),
    ('sd21', ['encoder.1.1', 'decoder.1.2'], r"\['decoder.1.0', 'decoder.1.1'\] all read"),
    ('sd21', ['bottleneck.0'], r"mid block always starts with a ResNet \(bottleneck.0\)"),
    ('sdxl', ['bottleneck.1.attn.0'], r'sizes the mid-block transformer from the last down '
                                      r'block.*= 3 layers.*mid block 2 layers'),
]


@pytest.mark.parametrize('arch,names,match', REFUSED)
def test_inexpressible_removals_are_refused_with_the_reason(arch, names, match):
    bb = pruned(arch, names)
    with pytest.raises(NotExportableError, match=match):
        to_diffusers(bb)
    assert bb.export_refusal(bb.dropped) is not None
