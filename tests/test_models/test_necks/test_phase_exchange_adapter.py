"""PhaseExchangeAdapter: the exchange itself, identity at init, gradients, insert sites."""
import math

import pytest
import torch

from pgpsr.models.necks.phase_exchange_adapter import exchange_spectrum
from pgpsr.registry import MODELS


def tiny_model(neck):
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='PGPDiffSR', scale=4, codec=dict(type='PixelUnshuffleCodec', factor=2),
        backbone=dict(type='DiTDenoiser', in_channels=12, patch_size=2, hidden_size=32,
                      num_heads=2, depth=(2, 1, 2)),
        neck=neck, sample_scheduler=dict(type='DDIMScheduler'),
        test_cfg=dict(num_steps=2, start='noise', seed=0), train_cfg=dict(seed=0)))


def test_full_exchange_output_has_the_lr_phase_and_the_feature_amplitude():
    g = torch.Generator().manual_seed(0)
    feat, ref = torch.randn(2, 3, 16, 12, generator=g), torch.randn(2, 3, 16, 12, generator=g)
    out = exchange_spectrum(feat, ref, 'phase')
    fo, ff, fr = (torch.fft.rfft2(x, norm='ortho') for x in (out, feat, ref))
    assert torch.allclose(fo.abs(), ff.abs(), atol=1e-4)
    diff = torch.angle(fo * fr.conj())  # phase difference, wrapped
    assert diff.abs().max() < 1e-3
    swapped = exchange_spectrum(feat, ref, 'amplitude')
    fs = torch.fft.rfft2(swapped, norm='ortho')
    assert torch.allclose(fs.abs(), fr.abs(), atol=1e-4)


def test_blend_at_zero_keeps_the_feature_and_at_one_takes_the_lr_phase():
    g = torch.Generator().manual_seed(1)
    feat, ref = torch.randn(1, 2, 8, 8, generator=g), torch.randn(1, 2, 8, 8, generator=g)
    assert torch.allclose(exchange_spectrum(feat, ref, blend=torch.zeros(2)), feat, atol=1e-5)
    assert torch.allclose(exchange_spectrum(feat, ref, blend=torch.ones(2)),
                          exchange_spectrum(feat, ref), atol=1e-5)


def test_fft_stays_fp32_under_bf16_autocast():
    feat = torch.randn(1, 4, 8, 8)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = exchange_spectrum(feat.bfloat16(), feat.bfloat16().flip(-1))
    assert out.dtype == torch.float32 and torch.isfinite(out).all()


@pytest.mark.parametrize('insert, channels, rank', [
    ('output', 12, None), ('decoder_input', 32, None), ('decoder_output', 32, None),
    ('decoder_blocks', 32, None), ('decoder_blocks', 32, 4)])
def test_untrained_adapter_changes_nothing_and_gradients_reach_it(insert, channels, rank):
    plain = tiny_model(None)
    adapted = tiny_model(dict(type='PhaseExchangeAdapter', channels=channels,
                              cond_channels=12, insert=insert, blend=True, rank=rank))
    adapted.backbone.load_state_dict(plain.backbone.state_dict())
    with torch.no_grad():  # non-zero blocks so decoder features are not identities
        for a, b in zip(plain.backbone.parameters(), adapted.backbone.parameters()):
            a.normal_(0, 0.05)
            b.copy_(a)
    lr = torch.rand(1, 3, 8, 12) * 2 - 1
    plain.eval()
    adapted.eval()
    assert torch.equal(plain.sample(lr), adapted.sample(lr))
    expected_units = dict(output=1, decoder_input=1, decoder_output=1, decoder_blocks=2)[insert]
    assert len(adapted.neck.units) == expected_units
    adapted.train()
    x, t = torch.randn(1, 12, 16, 24), torch.tensor([500])
    cond = adapted.encode_condition(lr)
    adapted.denoise(x, t, cond).square().mean().backward()
    for unit in adapted.neck.units.values():
        assert unit.fuse.weight.grad is not None and unit.fuse.weight.grad.abs().sum() > 0
        assert unit.fuse.weight.shape[1] == (rank or channels)


@pytest.mark.parametrize('insert, sites', [
    ('decoder_input', ['decoder_0']), ('decoder_output', ['decoder_1']),
    ('decoder_blocks', ['decoder_0', 'decoder_1'])])
def test_each_insert_adapts_its_own_sites(insert, sites):
    """Each unit is fed the feature its insert names: ``decoder_output`` the last decoder
    block's output, ``decoder_input`` the first decoder block's input."""
    model = tiny_model(dict(type='PhaseExchangeAdapter', channels=32, cond_channels=12,
                            insert=insert, blend=True)).eval()
    assert sorted(model.neck.units) == sites
    blocks = {n: holder[i] for n, _, holder, i in model.backbone.block_table()}
    fed, seen, hooks = [], {}, []
    for name in ('decoder.0', 'decoder.1'):
        hooks.append(blocks[name].register_forward_pre_hook(
            lambda m, a, name=name: seen.update({name + ':in': a[0].clone()})))
        hooks.append(blocks[name].register_forward_hook(
            lambda m, a, out, name=name: seen.update({name + ':out': out.clone()})))
    apply_unit = model.neck.apply_unit
    model.neck.apply_unit = lambda key, x, *a: fed.append((key, x.clone())) or apply_unit(
        key, x, *a)
    x, t = torch.randn(1, 12, 16, 16), torch.tensor([10])
    with torch.no_grad():
        model.denoise(x, t, model.encode_condition(torch.rand(1, 3, 8, 8)))
    for h in hooks:
        h.remove()
    assert [k for k, _ in fed] == sites
    where = {'decoder_input': 'decoder.0:in', 'decoder_output': 'decoder.1:out'}
    if insert in where:
        assert torch.equal(fed[0][1], seen[where[insert]])


def test_decoder_sites_survive_pruning_of_their_block():
    model = tiny_model(dict(type='PhaseExchangeAdapter', channels=32, cond_channels=12,
                            insert='decoder_blocks'))
    model.backbone.drop_block('decoder.0')
    x, t = torch.randn(1, 12, 16, 16), torch.tensor([10])
    cond = model.encode_condition(torch.zeros(1, 3, 8, 8))
    model.denoise(x, t, cond).sum().backward()
    assert all(u.fuse.weight.grad is not None for u in model.neck.units.values())


def test_bad_options_are_named():
    with pytest.raises(ValueError, match='insert must be one of'):
        MODELS.build(dict(type='PhaseExchangeAdapter', channels=4, cond_channels=4,
                          insert='encoder'))


def test_unit_phasor_exchange_equals_the_polar_formula():
    """The cheap z/|z| phasors give what polar(1, angle(z)) gives (the paper's wording)."""
    from pgpsr.models.necks.phase_exchange_adapter import exchange_spectrum
    torch.manual_seed(0)
    f, r, b = torch.randn(2, 8, 16, 12), torch.randn(2, 8, 16, 12), torch.rand(8)
    F, R = (torch.fft.rfft2(x, norm='ortho') for x in (f, r))

    def phasor(z):
        return torch.polar(torch.ones_like(z.real), torch.angle(z))
    full = torch.fft.irfft2(F.abs() * phasor(R), s=(16, 12), norm='ortho')
    mixed = (1 - b.view(1, -1, 1, 1)) * phasor(F) + b.view(1, -1, 1, 1) * phasor(R)
    blended = torch.fft.irfft2(F.abs() * mixed / mixed.abs(), s=(16, 12), norm='ortho')
    assert torch.allclose(exchange_spectrum(f, r), full, atol=1e-5)
    assert torch.allclose(exchange_spectrum(f, r, 'phase', b), blended, atol=1e-5)


def test_shared_condition_spectrum_equals_projecting_per_site():
    """Projecting the condition's spectrum (once per call) = transforming each site's
    projected condition: the 1x1 projection is linear, its bias lands at DC."""
    from pgpsr.models.necks.phase_exchange_adapter import PhaseExchangeUnit, condition_spectrum
    torch.manual_seed(0)
    unit = PhaseExchangeUnit(16, 4, blend=True, exchange='phase')
    for p in unit.parameters():
        torch.nn.init.normal_(p, 0, 0.3)
    feat, cond = torch.randn(2, 16, 9, 7), torch.randn(2, 4, 18, 14)
    per_site = unit(feat, cond)
    shared = unit(feat, cond, condition_spectrum(cond, (9, 7)))
    assert (per_site - feat).abs().mean() > 0.05
    assert torch.allclose(shared, per_site, atol=1e-5)


def _random_unit(rank, channels=16, cond_channels=4):
    from pgpsr.models.necks.phase_exchange_adapter import PhaseExchangeUnit
    torch.manual_seed(0)
    unit = PhaseExchangeUnit(channels, cond_channels, blend=True, exchange='phase', rank=rank)
    for p in unit.parameters():
        torch.nn.init.normal_(p, 0, 0.3)
    return unit


def test_bottleneck_exchanges_in_rank_channels():
    """rank r: feat + fuse(exchange(down(feat), cond_proj(cond))), every tensor r wide."""
    unit = _random_unit(rank=3)
    assert unit.down.weight.shape == (3, 16, 1, 1) and unit.fuse.weight.shape == (16, 3, 1, 1)
    assert unit.cond_proj.out_channels == 3 and unit.blend_logit.shape == (3,)
    feat, cond = torch.randn(2, 16, 9, 7), torch.randn(2, 4, 9, 7)
    z = torch.nn.functional.conv2d(feat, unit.down.weight)
    ref = unit.cond_proj(cond)
    expected = feat + unit.fuse(exchange_spectrum(z, ref, 'phase', torch.sigmoid(unit.blend_logit)))
    assert torch.allclose(unit(feat, cond), expected, atol=1e-5)
    assert (expected - feat).abs().mean() > 0.05


@pytest.mark.parametrize('rank', [None, 4])
def test_token_path_equals_the_map_path(rank):
    """DiT tokens adapted in token layout = the same feature adapted as a map."""
    from pgpsr.models.necks.phase_exchange_adapter import condition_spectrum
    unit = _random_unit(rank)
    fmap, cond = torch.randn(2, 16, 6, 5), torch.randn(2, 4, 12, 10)
    tokens = fmap.flatten(2).transpose(1, 2)
    spec = condition_spectrum(cond, (6, 5))
    as_map = unit(fmap, cond, spec).flatten(2).transpose(1, 2)
    assert torch.allclose(unit.forward_tokens(tokens, (6, 5), cond, spec), as_map, atol=1e-5)
    assert torch.allclose(unit.forward_tokens(tokens, (6, 5), cond), as_map, atol=1e-5)


def test_bad_rank_is_named():
    with pytest.raises(ValueError, match='rank must be in'):
        MODELS.build(dict(type='PhaseExchangeAdapter', channels=8, cond_channels=4, rank=9))


@pytest.mark.parametrize('blend', [None, torch.full((3,), 0.5)])
def test_flat_features_give_finite_gradients(blend):
    """A flat tile's spectrum is zero away from DC: |z| there must not give NaN gradients."""
    feat = torch.full((1, 3, 8, 8), 0.7, requires_grad=True)
    g = torch.Generator().manual_seed(0)
    # ref's DC positive like feat's: a 50/50 blend of two opposite DC phasors is zero, a
    # phase that exists only by rounding (0 or +-0.7 depending on the CPU's kernels)
    ref = torch.randn(1, 3, 8, 8, generator=g)
    ref = (ref - ref.mean((-2, -1), keepdim=True) + 0.3).requires_grad_()
    out = exchange_spectrum(feat, ref, 'phase', blend)
    (out * torch.randn_like(out)).sum().backward()
    assert torch.isfinite(feat.grad).all() and torch.isfinite(ref.grad).all()
    assert torch.allclose(out.abs(), feat.abs(), atol=1e-5)  # only DC: its amplitude is kept


@pytest.mark.parametrize('blend', [None, 0.3])
def test_amplitude_exchange_of_a_built_adapter_equals_its_formula(blend):
    """Oracle, with torch.fft directly (``exchange='amplitude'``, the ablation config's):
    the LR's amplitude |R| and the feature's phase; with a blend b (the weight of the LR
    phase, as for ``'phase'``) the phasor is m / |m|, m = (1 - b) F/|F| + b R/|R|.
    R = rfft2(cond_proj(cond)) with the 1x1 projection written as an einsum."""
    cfg = dict(type='PhaseExchangeAdapter', channels=6, cond_channels=4, insert='output',
               exchange='amplitude', blend=blend is not None)
    neck = MODELS.build(cfg)
    unit = neck.units['output']
    torch.manual_seed(0)
    with torch.no_grad():
        unit.cond_proj.weight.normal_(0, 0.5)
        unit.cond_proj.bias.normal_(0, 0.5)
        unit.fuse.weight.copy_(torch.eye(6).view(6, 6, 1, 1))  # exposes the exchange
        if blend is not None:
            unit.blend_logit.fill_(math.log(blend / (1 - blend)))
    feat, cond = torch.randn(2, 6, 10, 8), torch.randn(2, 4, 10, 8)
    w, b = unit.cond_proj.weight.detach().flatten(1), unit.cond_proj.bias.detach()
    ref = torch.einsum('oc,bchw->bohw', w, cond) + b.view(1, -1, 1, 1)
    Ff, R = torch.fft.rfft2(feat, norm='ortho'), torch.fft.rfft2(ref, norm='ortho')
    phasor = Ff / Ff.abs()
    if blend is not None:
        m = (1 - blend) * phasor + blend * R / R.abs()
        phasor = m / m.abs()
    want = torch.fft.irfft2(R.abs() * phasor, s=(10, 8), norm='ortho')
    with torch.no_grad():
        got = neck(feat, cond) - feat
    err = float((got - want).abs().max())
    assert err < 1e-4, f'max |adapter - formula| = {err:.3g}'
    assert (want - ref).abs().mean() > 0.1 and (want - feat).abs().mean() > 0.1
