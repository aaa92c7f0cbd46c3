import pytest
import torch

from pgpsr.registry import MODELS

CFG = dict(type='UNetDenoiser', in_channels=4, block_channels=(16, 32), units_per_level=2,
           attention_levels=(1,), head_dim=8, norm_groups=8)


def _inputs():
    g = torch.Generator().manual_seed(0)
    return torch.randn(2, 4, 8, 8, generator=g), torch.tensor([3, 900]), \
        torch.randn(2, 4, 8, 8, generator=g)


def _randomise(model):
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return model.eval()


def test_shapes_parts_and_droppable_units():
    model = MODELS.build(CFG)
    assert model(*_inputs()).shape == (2, 4, 8, 8)
    names = list(model.blocks())
    assert names == ['encoder.0.0', 'encoder.0.1', 'encoder.1.0', 'encoder.1.1',
                     'bottleneck.0', 'bottleneck.1', 'decoder.1.0', 'decoder.1.1',
                     'decoder.0.0', 'decoder.0.1']
    # encoder.1.0 widens 16 -> 32 and decoder.0.0 narrows 32 -> 16: not droppable
    droppable = [n for n in names if model.is_droppable(n)]
    assert 'encoder.1.0' not in droppable and 'decoder.0.0' not in droppable
    assert len(droppable) == 8
    with pytest.raises(ValueError, match='encoder.1.0'):
        model.drop_block('encoder.1.0')


def test_drop_and_reload_from_original_config():
    model = _randomise(MODELS.build(CFG))
    x = _inputs()
    before = model(*x)
    model.drop_block('encoder.0.1')
    model.drop_block('decoder.1.1')
    model.drop_block('bottleneck.1')
    after = model(*x)
    assert after.shape == before.shape and not torch.allclose(before, after)
    rebuilt = MODELS.build(CFG).eval()
    rebuilt.load_state_dict(model.state_dict())
    assert torch.equal(rebuilt(*x), after)
    assert sum(p.numel() for p in rebuilt.parameters()) == \
        sum(p.numel() for p in model.parameters())


def test_odd_latent_rejected_with_clear_message():
    with pytest.raises(ValueError, match='multiple of 2'):
        MODELS.build(CFG)(torch.randn(1, 4, 7, 8), torch.tensor([1]), torch.randn(1, 4, 7, 8))
