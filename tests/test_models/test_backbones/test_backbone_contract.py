"""Every registered backbone honours the contract that PGPDiffSR, the adapter and pruning
rely on (pgpsr.models.backbones.contract), built from a tiny config: registering a new
backbone without adding its entry to ``TINY`` fails ``test_every_backbone_has_a_tiny_config``.
The last tests show the build-time checks bite on deliberately broken backbones."""
import copy
import inspect
import re
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from pgpsr.engine.hooks.progressive_prune_hook import ProgressivePruneHook
from pgpsr.models.backbones import PARTS, PrunableBackbone
from pgpsr.models.backbones.contract import MEMBERS, Denoiser
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.pruning.redundancy import RedundancyRecorder
from pgpsr.registry import MODELS
from tests.test_models.test_backbones.block_calls import forward_with_counted_block

PIXELS = dict(type='PixelUnshuffleCodec', factor=2)  # 12 latent channels
# type -> {variant: (backbone config, codec config)}; 'sd21' etc. name a tiny folder
TINY = dict(
    DiTDenoiser=dict(own=(dict(in_channels=12, patch_size=2, hidden_size=32, num_heads=2,
                               depth=(1, 1, 1)), PIXELS)),
    UNetDenoiser=dict(own=(dict(in_channels=12, block_channels=(8, 16), units_per_level=1,
                                attention_levels=(1,), head_dim=8, norm_groups=4), PIXELS)),
    DiffusersUNetDenoiser=dict(sd21=(dict(subfolder='unet'), 'vae'),
                               sdxl=(dict(subfolder='unet'), 'vae')),
    DiffusersTransformerDenoiser=dict(dit=(dict(subfolder='transformer'), 'vae')))


def registered():
    """pgpsr's registered backbones (test modules may register their own: not these)."""
    return sorted(n for n, c in MODELS.module_dict.items()
                  if isinstance(c, type) and issubclass(c, PrunableBackbone)
                  and c.__module__.startswith('pgpsr.'))


def test_every_backbone_has_a_tiny_config():
    assert registered() == sorted(TINY), 'give each registered backbone an entry in TINY'


CASES = [(t, v) for t in registered() for v in TINY.get(t, {None: None})]


@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp('tiny')
    return {a: save_tiny_pipeline(a, str(root / a)) for a in ('sd21', 'sdxl', 'dit')}


def configs(type_, variant, folders):
    """(backbone config, PGPDiffSR config) of one tiny case."""
    if variant is None:
        pytest.fail(f'{type_} is registered but has no tiny config in TINY')
    backbone, codec = copy.deepcopy(TINY[type_][variant])
    backbone['type'] = type_
    if variant in folders:
        backbone['pretrained'] = folders[variant]
        codec = dict(type='AutoencoderKLCodec', pretrained=folders[variant], subfolder='vae')
    return backbone, dict(type='PGPDiffSR', scale=4, codec=codec, backbone=backbone,
                          test_cfg=dict(num_steps=2, seed=0))


def randomised(module, seed=0):
    """Weights moved off their (often zero) initialisation, so outputs depend on them."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=g))
    return module


def inputs(bb, side=2):
    """(x_t, t, cond) on a grid of ``side * size_divisor`` latent pixels."""
    g = torch.Generator().manual_seed(1)
    s = side * bb.size_divisor
    x = torch.randn(2, bb.in_channels, s, s, generator=g)
    return x, torch.tensor([10, 700]), torch.randn(x.shape, generator=g)


@pytest.mark.parametrize('type_, variant', CASES)
def test_builds_and_samples_any_size(type_, variant, folders):
    _, cfg = configs(type_, variant, folders)
    model = MODELS.build(cfg).eval()
    assert isinstance(model.backbone, Denoiser)
    randomised(model.backbone)
    for h, w in ((5, 7), (3, 9)):
        out = model.sample_any_size(torch.rand(1, 3, h, w) * 2 - 1)
        assert out.shape == (1, 3, 4 * h, 4 * w) and torch.isfinite(out).all()


@pytest.mark.parametrize('type_, variant', CASES)
def test_block_table_names_are_unique_and_parts_in_order(type_, variant, folders):
    bb = MODELS.build(configs(type_, variant, folders)[0])
    names = [n for n, _, _, _ in bb.block_table()]
    order = [PARTS.index(part) for _, part, _, _ in bb.block_table()]
    assert names and len(set(names)) == len(names)
    assert order == sorted(order), 'blocks must be listed encoder, bottleneck, decoder'


@pytest.mark.parametrize('type_, variant', CASES)
def test_a_dropped_block_travels_in_the_state_dict(type_, variant, folders):
    cfg = configs(type_, variant, folders)[0]
    bb = randomised(MODELS.build(cfg)).eval()
    x, t, c = inputs(bb)
    name = next(n for n in bb.blocks() if bb.drop_refusal(n) is None)
    with torch.no_grad():
        full = bb(x, t, c)
        bb.drop_block(name)
        pruned = bb(x, t, c)
    assert torch.isfinite(pruned).all() and not torch.equal(full, pruned)
    fresh = MODELS.build(cfg).eval()
    fresh.load_state_dict(bb.state_dict())
    assert fresh.dropped == [name]
    with torch.no_grad():
        assert torch.equal(fresh(x, t, c), pruned)


@pytest.mark.parametrize('type_, variant', CASES)
def test_recording_sees_every_block_once_per_call(type_, variant, folders):
    """What pruning records: block outputs (distillation) and the redundancy table."""
    _, cfg = configs(type_, variant, folders)
    model = MODELS.build(cfg).eval()
    bb = randomised(model.backbone)
    store = {}
    with torch.no_grad(), bb.record_blocks(store):
        bb(*inputs(bb))
    assert {n: len(v) for n, v in store.items()} == {n: 1 for n in bb.blocks()}
    rec = RedundancyRecorder(bb)
    with bb.observe_blocks(rec):
        model.sample(torch.rand(1, 3, 8, 8) * 2 - 1, num_steps=2)
    table = rec.table()
    assert set(table) == set(bb.blocks())
    for name, row in table.items():
        assert len(row['io_cosine']) == 2 and all(v == v for v in row['io_cosine']), name
        assert row['adj_cosine'][1] == row['adj_cosine'][1], name  # step 1 vs step 0


def _grads(cfg, checkpointing, state):
    bb = MODELS.build({**cfg, 'grad_checkpointing': checkpointing}).train()
    bb.load_state_dict(state)
    x, t, c = inputs(bb)
    first = next(iter(bb.blocks()))
    calls, _, out = forward_with_counted_block(bb, first, lambda m: m(x, t, c))
    out.square().mean().backward()
    assert calls['forward'] == (2 if checkpointing else 1)  # recomputed in backward
    return {n: p.grad for n, p in bb.named_parameters() if p.requires_grad}


@pytest.mark.parametrize('type_, variant', CASES)
def test_grad_checkpointing_gives_the_same_gradients(type_, variant, folders):
    cfg = configs(type_, variant, folders)[0]
    if 'grad_checkpointing' not in inspect.signature(MODELS.get(type_)).parameters:
        pytest.skip(f'{type_} has no grad_checkpointing option')
    state = randomised(MODELS.build(cfg)).state_dict()
    plain, ckpt = _grads(cfg, False, state), _grads(cfg, True, state)
    assert plain.keys() == ckpt.keys()
    for n, g in plain.items():
        assert g is not None and torch.allclose(ckpt[n], g, atol=1e-5), n


# ---- the build-time checks bite ---------------------------------------------------------
class ConvBlocks(PrunableBackbone):
    """A minimal backbone for the broken variants below (not registered)."""

    def __init__(self, in_channels: int = 12) -> None:
        super().__init__()
        self.in_channels = self.cond_channels = self.out_channels = in_channels
        self.body = nn.ModuleList([nn.Conv2d(2 * in_channels, in_channels, 1)])

    def block_table(self):
        return [('decoder.0', 'decoder', self.body, 0)]

    def forward(self, x_t, t, cond):
        return self.body[0](torch.cat([x_t, cond], 1))


class NoDivisor(ConvBlocks):
    pass


class Declared(ConvBlocks):
    size_divisor = 1


class NotABackbone(nn.Module):
    """Channels and a divisor, but none of the block interface."""
    size_divisor, in_channels, cond_channels, out_channels = 1, 12, 12, 12


TINY_PGP = dict(type='PGPDiffSR', scale=4, codec=PIXELS, backbone=None)


def test_a_backbone_that_does_not_declare_size_divisor_fails_at_build():
    with pytest.raises(TypeError, match='NoDivisor does not declare size_divisor'):
        MODELS.build(dict(TINY_PGP, backbone=dict(type=NoDivisor)))
    assert MODELS.build(dict(TINY_PGP, backbone=dict(type=Declared))).lr_size_divisor == 1


@pytest.mark.parametrize('backbone, key, got', [
    (dict(type=Declared, in_channels=4), 'in_channels', 4),
    (dict(TINY['DiTDenoiser']['own'][0], type='DiTDenoiser', cond_channels=5),
     'cond_channels', 5),
    (dict(TINY['DiTDenoiser']['own'][0], type='DiTDenoiser', out_channels=24),
     'out_channels', 24)])
def test_channels_that_do_not_match_the_codec_fail_at_build(backbone, key, got):
    with pytest.raises(ValueError, match=rf'model.backbone.{key} \(\w+\) is {got}, but must '
                                         r'be (0 or )?12: the latent channels of the codec '
                                         r'\(model.codec, PixelUnshuffleCodec\): 12'):
        MODELS.build(dict(TINY_PGP, backbone=backbone))


LACKED = re.escape(str(list(MEMBERS[4:])))  # all but the divisor and the channels


def test_a_backbone_without_the_block_interface_is_named_at_build():
    with pytest.raises(TypeError, match=f'PGPDiffSR: the backbone NotABackbone lacks {LACKED}'):
        MODELS.build(dict(TINY_PGP, backbone=dict(type=NotABackbone)))


def test_the_prune_hook_checks_the_backbone_before_training():
    runner = SimpleNamespace(strategy=None, model=SimpleNamespace(backbone=NotABackbone()))
    hook = ProgressivePruneHook(stages=[dict(at=0, num_blocks=1)])
    with pytest.raises(TypeError, match=f'ProgressivePruneHook: .* lacks {LACKED}'):
        hook.before_train(runner)
