"""osediff_to_pgpsr: a fake OSEDiff release built here from the tiny SD2.1-layout UNet and
VAE (same key names and shapes as the real one, LoRA on convolutions and attention,
a retrained conv_in): the merged models equal the unmerged LoRA forward."""
import pytest
import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL, UNet2DConditionModel

from pgpsr.models.backbones.tiny_pretrained import save_tiny_pipeline
from tests.test_tools.helpers import run_tool

RANK, ALPHA = 4, 8.0
UNET_TARGETS = ('to_q', 'to_k', 'to_v', 'to_out.0', 'conv1', 'conv2', 'proj_in')
VAE_TARGETS = ('conv1', 'conv2', 'conv_in')


def _targets(model, names, prefix=''):
    return {n: m for n, m in model.named_modules() if n.startswith(prefix)
            and any(n == t or n.endswith('.' + t) for t in names)
            and isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))}


def _fake_lora(modules, adapter, gen):
    state = {}
    for name, m in modules.items():
        if isinstance(m, torch.nn.Linear):
            a, b = (RANK, m.in_features), (m.out_features, RANK)
        else:
            a, b = (RANK, m.in_channels, *m.kernel_size), (m.out_channels, RANK, 1, 1)
        state[f'{name}.lora_A.{adapter}.weight'] = torch.randn(a, generator=gen) * 0.1
        state[f'{name}.lora_B.{adapter}.weight'] = torch.randn(b, generator=gen) * 0.1
    return state


def _unmerged_forward_hooks(modules, state, adapter, scale):
    """LoRA as peft runs it: base output + scale * B(A(x)), on the unmerged model."""
    handles = []
    for name, m in modules.items():
        a, b = state[f'{name}.lora_A.{adapter}.weight'], state[f'{name}.lora_B.{adapter}.weight']

        def hook(mod, args, out, a=a, b=b):
            x = args[0]
            if isinstance(mod, torch.nn.Linear):
                return out + scale * F.linear(F.linear(x, a), b)
            h = F.conv2d(x, a, stride=mod.stride, padding=mod.padding, dilation=mod.dilation)
            return out + scale * F.conv2d(h, b)
        handles.append(m.register_forward_hook(hook))
    return handles


@pytest.fixture(scope='module')
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp('osediff')
    sd21 = save_tiny_pipeline('sd21', str(root / 'sd21'))
    unet = UNet2DConditionModel.from_pretrained(sd21, subfolder='unet')
    vae = AutoencoderKL.from_pretrained(sd21, subfolder='vae')
    gen = torch.Generator().manual_seed(0)
    enc = _targets(unet, UNET_TARGETS, 'down_blocks')
    dec = _targets(unet, UNET_TARGETS, 'up_blocks')
    oth = _targets(unet, UNET_TARGETS, 'mid_block')
    unet_state = {**_fake_lora(enc, 'default_encoder', gen), **_fake_lora(dec, 'default_decoder', gen),
                  **_fake_lora(oth, 'default_others', gen),
                  'conv_in.weight': torch.randn(unet.conv_in.weight.shape, generator=gen) * 0.1,
                  'conv_in.bias': torch.randn(unet.conv_in.bias.shape, generator=gen) * 0.1}
    vae_mods = _targets(vae, VAE_TARGETS, 'encoder')
    vae_state = _fake_lora(vae_mods, 'default_encoder', gen)
    torch.save(dict(rank_unet=RANK, rank_vae=RANK, unet_lora_encoder_modules=list(UNET_TARGETS),
                    unet_lora_decoder_modules=list(UNET_TARGETS),
                    unet_lora_others_modules=list(UNET_TARGETS),
                    vae_lora_encoder_modules=list(VAE_TARGETS), state_dict_unet=unet_state,
                    state_dict_vae=vae_state), root / 'osediff.pkl')
    out = root / 'merged'
    res = run_tool(['tools/model_converters/osediff_to_pgpsr.py', '--sd21', sd21, '--release',
                    str(root / 'osediff.pkl'), '--out', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return dict(sd21=sd21, out=str(out), path=str(root / 'osediff.pkl'), unet_state=unet_state, vae_state=vae_state,
                unet_mods=dict(default_encoder=list(enc), default_decoder=list(dec),
                               default_others=list(oth)), vae_mods=list(vae_mods),
                log=res.stdout)


def test_merged_unet_equals_the_unmerged_lora_forward_at_t999(release):
    torch.manual_seed(1)
    x, ctx = torch.randn(1, 4, 16, 16), torch.randn(1, 7, 24)
    t = torch.tensor([999])
    base = UNet2DConditionModel.from_pretrained(release['sd21'], subfolder='unet').eval()
    base.conv_in.load_state_dict(dict(weight=release['unet_state']['conv_in.weight'],
                                      bias=release['unet_state']['conv_in.bias']))
    plain = base(x, t, encoder_hidden_states=ctx).sample
    modules = dict(base.named_modules())
    handles = []
    for adapter, names in release['unet_mods'].items():
        handles += _unmerged_forward_hooks({n: modules[n] for n in names},
                                           release['unet_state'], adapter, ALPHA / RANK)
    with torch.no_grad():
        reference = base(x, t, encoder_hidden_states=ctx).sample
    for h in handles:
        h.remove()
    merged = UNet2DConditionModel.from_pretrained(release['out'], subfolder='unet').eval()
    with torch.no_grad():
        out = merged(x, t, encoder_hidden_states=ctx).sample
    assert (reference - plain).abs().max() > 1e-2  # the LoRA matters
    assert torch.allclose(out, reference, atol=1e-5), (out - reference).abs().max()
    assert '"lora_modules": %d' % sum(map(len, release['unet_mods'].values())) in release['log']


def test_merged_vae_encoder_equals_the_unmerged_lora_forward(release):
    torch.manual_seed(2)
    img = torch.rand(1, 3, 32, 32) * 2 - 1
    base = AutoencoderKL.from_pretrained(release['sd21'], subfolder='vae').eval()
    modules = dict(base.named_modules())
    handles = _unmerged_forward_hooks({n: modules[n] for n in release['vae_mods']},
                                      release['vae_state'], 'default_encoder', ALPHA / RANK)
    with torch.no_grad():
        reference = base.encode(img).latent_dist.mean
    for h in handles:
        h.remove()
    merged = AutoencoderKL.from_pretrained(release['out'], subfolder='vae').eval()
    with torch.no_grad():
        out = merged.encode(img).latent_dist.mean
        assert torch.equal(merged.decode(out).sample, base.decode(out).sample)  # decoder kept
    assert torch.allclose(out, reference, atol=1e-5), (out - reference).abs().max()


def test_a_file_that_is_not_a_release_is_refused_by_name(tmp_path, release):
    torch.save(dict(state_dict={}), tmp_path / 'other.pth')
    res = run_tool(['tools/model_converters/osediff_to_pgpsr.py', '--sd21', release['sd21'],
                    '--release', str(tmp_path / 'other.pth'), '--out', str(tmp_path / 'o')])
    assert res.returncode != 0 and 'not an OSEDiff release' in res.stderr
    res = run_tool(['tools/model_converters/osediff_to_pgpsr.py', '--sd21',
                    str(tmp_path / 'nope'), '--release', release['path'],
                    '--out', str(tmp_path / 'o')])
    assert res.returncode != 0 and 'nope' in res.stderr


def test_teacher_config_runs_osediffs_one_step_on_the_converted_folder(release):
    """configs/adcsr/osediff_teacher_x4.py on the converted tiny folder: its SR equals
    OSEDiff's one-step computation written out with the diffusers models."""
    import math

    from mmengine.config import Config

    from pgpsr.registry import MODELS
    from tests.test_tools.helpers import ROOT
    cfg = Config.fromfile(f'{ROOT}/configs/adcsr/osediff_teacher_x4.py')
    cfg.model.codec.pretrained = cfg.model.backbone.pretrained = release['out']
    cfg.model.test_cfg.update(tile=None, color_fix='none')
    model = MODELS.build(cfg.model).eval()
    torch.manual_seed(3)
    lr = torch.rand(1, 3, 8, 8) * 2 - 1
    with torch.no_grad():
        sr = model.sample(lr)
        vae = AutoencoderKL.from_pretrained(release['out'], subfolder='vae').eval()
        unet = UNet2DConditionModel.from_pretrained(release['out'], subfolder='unet').eval()
        up = F.interpolate(lr, scale_factor=4, mode='bicubic', align_corners=False).clamp(-1, 1)
        sf = vae.config.scaling_factor
        z = vae.encode(up).latent_dist.mode() * sf
        ctx = model.backbone.conditioning_kwargs(1, z.dtype)[0]
        eps = unet(z, torch.tensor([999]), encoder_hidden_states=ctx).sample
        abar = model.scheduler.alphas_cumprod[999].item()
        x0 = (z - math.sqrt(1 - abar) * eps) / math.sqrt(abar)
        expected = vae.decode(x0 / sf).sample.clamp(-1, 1)
    assert sr.shape == (1, 3, 32, 32)
    assert torch.allclose(sr, expected, atol=1e-4), (sr - expected).abs().max()
