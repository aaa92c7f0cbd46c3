"""DiffusersUNetDenoiser: a real diffusers UNet (SD2.1- and SDXL-shaped tiny folders saved
with save_pretrained) loaded, run exactly as diffusers runs it, pruned, saved, exported."""
import pytest
import torch
from diffusers import UNet2DConditionModel
from safetensors.torch import save_file

from pgpsr.models.backbones.diffusers_export import NotExportableError, to_diffusers
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline, tiny_model
from pgpsr.registry import MODELS
from tests.test_models.test_backbones.block_calls import forward_with_counted_block
from pgpsr.utils.pretrained import MissingWeightsError


def build(**kw):
    return MODELS.build(dict(type='DiffusersUNetDenoiser', **kw)).eval()


def diffusers_out(unet, bb, x, t):
    ehs, added = bb.conditioning_kwargs(x.shape[0], x.dtype)
    return unet(x, t, encoder_hidden_states=ehs, added_cond_kwargs=added).sample


@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp('pipes')
    return {arch: save_tiny_pipeline(arch, str(root / arch)) for arch in ('sd21', 'sdxl')}


@pytest.mark.parametrize('arch', ['sd21', 'sdxl'])
def test_output_equals_diffusers_forward(folders, arch):
    unet = UNet2DConditionModel.from_pretrained(folders[arch], subfolder='unet').eval()
    bb = build(pretrained=folders[arch], subfolder='unet', conditioning='input')
    torch.manual_seed(0)
    for hw in [(16, 16), (9, 14)]:  # the second is not a multiple of the UNet's factor
        x, t = torch.randn(2, 4, *hw), torch.tensor([7, 999])
        with torch.no_grad():
            want, got = diffusers_out(unet, bb, x, t), bb(x, t)
        assert want.abs().mean() > 0.05
        assert (got - want).abs().max() <= 1e-5


def test_concat_mode_starts_as_the_pretrained_unet(folders):
    """The widened conv_in's new channels are zero: at step 0 the condition changes nothing."""
    plain = build(pretrained=folders['sd21'], subfolder='unet', conditioning='input')
    cat = build(pretrained=folders['sd21'], subfolder='unet', conditioning='concat')
    assert cat.unet.conv_in.in_channels == 8 and cat.unet.config.in_channels == 8
    x, c, t = torch.randn(1, 4, 8, 8), torch.randn(1, 4, 8, 8), torch.tensor([500])
    with torch.no_grad():
        assert torch.equal(cat(x, t, c), plain(x, t))


def test_loads_from_single_file_and_says_what_is_missing(folders, tmp_path):
    ref = build(pretrained=folders['sd21'], subfolder='unet', conditioning='input')
    f = tmp_path / 'unet.safetensors'
    save_file(ref.unet.state_dict(), str(f))
    single = build(pretrained=str(f), config=f"{folders['sd21']}/unet", conditioning='input')
    x, t = torch.randn(1, 4, 8, 8), torch.tensor([3])
    with torch.no_grad():
        assert torch.equal(single(x, t), ref(x, t))
    with pytest.raises(MissingWeightsError, match=r'DiffusersUNetDenoiser.pretrained: .*nowhere'):
        build(pretrained=str(tmp_path / 'nowhere'))
    with pytest.raises(MissingWeightsError, match=r"subfolder='unett'.*\['unet', 'vae'\]"):
        build(pretrained=folders['sd21'], subfolder='unett')
    with pytest.raises(ValueError, match='needs `config`'):
        build(pretrained=str(f))


def test_block_view_and_drop_refusal(folders):
    bb = build(pretrained=folders['sdxl'], subfolder='unet')
    names = list(bb.blocks())
    # 6 encoder units, 2 mid units, 9 decoder units; SDXL-style stacks of 2 and 3 layers
    assert len([n for n in names if '.attn.' not in n]) == 17
    assert 'encoder.2.1.attn.2' in names and 'encoder.0.0.attn.0' not in names
    assert bb.decoder_sites()[0] == 'decoder.2.0' and len(bb.decoder_sites()) == 9
    assert bb.block_widths()['decoder.0.2'] == 16
    with pytest.raises(ValueError, match=r"'encoder.1.0'.*16 -> 32 channels"):
        bb.drop_block('encoder.1.0')


def test_prune_save_reload_and_export(folders, tmp_path):
    cfg = dict(pretrained=folders['sdxl'], subfolder='unet')
    bb = build(**cfg)
    before = sum(p.numel() for p in bb.parameters())
    for n in ['encoder.2.0.attn.1', 'decoder.1.2.attn.0', 'bottleneck.1.attn.2']:
        bb.drop_block(n)
    x, c, t = torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8), torch.tensor([5, 900])
    with torch.no_grad():
        out = bb(x, t, c)
        # layer-pruned: a plain diffusers UNet computes the same
        exported = to_diffusers(bb).eval()
        assert (diffusers_out(exported, bb, torch.cat([x, c], 1), t) - out).abs().max() <= 1e-5
    bb.drop_block('decoder.2.1')  # a whole decoder unit alone: its skip has no reader
    assert sum(p.numel() for p in bb.parameters()) < before
    torch.save(bb.state_dict(), tmp_path / 'p.pth')
    again = build(**cfg)  # the original config: the file carries the architecture
    again.load_state_dict(torch.load(tmp_path / 'p.pth'))
    assert again.dropped == bb.dropped
    with torch.no_grad():
        assert torch.equal(again(x, t, c), bb(x, t, c))
    with pytest.raises(NotExportableError, match=r"decoder units \['decoder.2.1'\] are all "
                                                 r"removed, so no decoder unit reads"):
        to_diffusers(bb)


def test_prompt_embeddings_file_is_used(folders, tmp_path):
    f = tmp_path / 'prompt.safetensors'
    torch.manual_seed(1)
    save_file(dict(prompt_embeds=torch.randn(1, 5, 24)), str(f))
    null = build(pretrained=folders['sd21'], subfolder='unet', conditioning='input')
    told = build(pretrained=folders['sd21'], subfolder='unet', conditioning='input',
                 prompt_embeds=str(f))
    assert told.prompt_embeds.shape == (1, 5, 24) and not null.prompt_embeds.any()
    x, t = torch.randn(1, 4, 8, 8), torch.tensor([10])
    with torch.no_grad():
        assert (told(x, t) - null(x, t)).abs().max() > 1e-4
    save_file(dict(prompt_embeds=torch.randn(1, 5, 7)), str(f))
    with pytest.raises(ValueError, match='7-wide embeddings but the UNet cross-attends to 24'):
        build(pretrained=folders['sd21'], subfolder='unet', prompt_embeds=str(f))


def _counted_run(checkpointing, x, t, c):
    """One forward + backward of a random SDXL-layout UNet with an adapter-style hook on
    unit ``decoder.1.1`` (removed after the forward) and every unit recorded during the
    forward; the hook and each recording fire exactly once in the forward. Returns the
    calls of the hook and of the unit's own forward after the backward, and the grads."""
    torch.manual_seed(0)
    bb = build(config=dict(tiny_model('sdxl').config), grad_checkpointing=checkpointing)
    bb.train()
    calls, store, out = forward_with_counted_block(bb, 'decoder.1.1', lambda m: m(x, t, c))
    units = [n for n in bb.blocks() if '.attn.' not in n]
    assert {n: len(store[n]) for n in units} == {n: 1 for n in units}
    (out.square().mean() + sum(o.mean() for _, o in store['encoder.1.0'])).backward()
    return calls, {n: p.grad for n, p in bb.named_parameters()}


def test_random_init_from_config_and_grad_checkpointing_with_hooks():
    """Checkpointed units still run one-forward hooks (the adapter's) exactly once:
    counted, the unit's forward runs twice (forward and recomputation), its hook and
    each unit's recording once, and the grads equal those without checkpointing."""
    torch.manual_seed(1)
    x, c, t = torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8), torch.tensor([1, 2])
    plain_calls, plain_grads = _counted_run(False, x, t, c)
    calls, grads = _counted_run(True, x, t, c)
    assert plain_calls == dict(hook=1, forward=1)
    assert calls == dict(hook=1, forward=2), calls  # recomputed, the hook not re-run
    assert all(g is not None for g in plain_grads.values())
    for n, g in plain_grads.items():
        assert torch.allclose(grads[n], g, atol=1e-6), n
