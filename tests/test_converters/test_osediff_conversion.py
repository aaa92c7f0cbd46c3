"""osediff_to_pgpsr against peft: a release built the way OSEDiff's ``osediff.py`` builds
and saves one (its LoRA target selection and adapter names, peft ``add_adapter``, conv_in
retrained *and* LoRA-tuned, ``save_model``'s key filter), converted by the tool, must equal
peft's own merge of the same adapters (weights and outputs)."""
import pytest
import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL, UNet2DConditionModel
from peft import LoraConfig, inject_adapter_in_model
from peft.tuners.tuners_utils import BaseTunerLayer

from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from tests.test_tools.helpers import add_reference_lora, run_tool

RANK = 4
# osediff.py initialize_unet / initialize_vae, written out from reading it
UNET_GREP = ('to_k', 'to_q', 'to_v', 'to_out.0', 'conv', 'conv1', 'conv2', 'conv_in',
             'conv_shortcut', 'conv_out', 'proj_out', 'proj_in', 'ff.net.2', 'ff.net.0.proj')
VAE_GREP = ('conv1', 'conv2', 'conv_in', 'conv_shortcut', 'conv', 'conv_out', 'to_k', 'to_q',
            'to_v', 'to_out.0')


def osediff_vae_targets(vae):
    out = []
    for n, _ in vae.named_parameters():
        if 'bias' in n or 'norm' in n:
            continue
        for pattern in VAE_GREP:
            if pattern in n and 'encoder' in n:
                out.append(n.replace('.weight', ''))
            elif 'quant_conv' in n and 'post_quant_conv' not in n:
                out.append(n.replace('.weight', ''))
    return sorted(set(out))


def _train_like_osediff(model, gen, retrained=()):
    """Non-zero LoRA halves (peft's gaussian init leaves B at zero) and the ``retrained``
    full tensors (the UNet's conv_in base layer), as after OSEDiff's training."""
    with torch.no_grad():
        for n, p in model.named_parameters():
            if 'lora_' in n or any(n.startswith(r) for r in retrained):
                p.add_(torch.randn(p.shape, generator=gen) * 0.1)


def _peft_merged(model):
    """peft's merge of every active adapter, with peft's wrapper keys mapped back."""
    for m in model.modules():
        if isinstance(m, BaseTunerLayer):
            m.merge()
    return {k.replace('.base_layer.', '.'): v for k, v in model.state_dict().items()
            if 'lora_' not in k}


def write_release(root):
    """A tiny SD2.1-layout folder and an OSEDiff release trained from it, saved as
    ``osediff.py`` saves one (``root/osediff.pkl``); returns the folder and the peft
    models it was saved from."""
    sd21 = save_tiny_pipeline('sd21', str(root / 'sd21'), text_encoders=True)
    gen = torch.Generator().manual_seed(0)
    unet = UNet2DConditionModel.from_pretrained(sd21, subfolder='unet')
    enc, dec, others = add_reference_lora(unet, UNET_GREP, RANK)
    unet.set_adapter(['default_encoder', 'default_decoder', 'default_others'])
    _train_like_osediff(unet, gen, retrained=('conv_in.base_layer',))
    vae = AutoencoderKL.from_pretrained(sd21, subfolder='vae')
    vae_targets = osediff_vae_targets(vae)
    # OSEDiff's own AutoencoderKL has diffusers' add_adapter, which is this peft call
    inject_adapter_in_model(LoraConfig(r=RANK, init_lora_weights='gaussian',
                                       target_modules=vae_targets), vae, 'default_encoder')
    _train_like_osediff(vae, gen)
    # OSEDiff_gen.save_model
    unet_state = {k: v for k, v in unet.state_dict().items() if 'lora' in k or 'conv_in' in k}
    assert 'conv_in.base_layer.weight' in unet_state
    assert 'conv_in.lora_A.default_encoder.weight' in unet_state
    torch.save(dict(vae_lora_encoder_modules=vae_targets, unet_lora_encoder_modules=enc,
                    unet_lora_decoder_modules=dec, unet_lora_others_modules=others,
                    rank_unet=RANK, rank_vae=RANK, state_dict_unet=unet_state,
                    state_dict_vae={k: v for k, v in vae.state_dict().items() if 'lora' in k}),
               root / 'osediff.pkl')
    return sd21, unet, vae, len(enc) + len(dec) + len(others)


@pytest.fixture(scope='module')
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp('osediff')
    sd21, unet, vae, n_lora = write_release(root)
    torch.manual_seed(1)
    x, ctx, img = torch.randn(1, 4, 16, 16), torch.randn(1, 7, 24), torch.rand(1, 3, 32, 32)
    with torch.no_grad():  # the unmerged peft models: what OSEDiff's test runs
        unet_out = unet.eval()(x, torch.tensor([999]), encoder_hidden_states=ctx).sample
        vae_out = vae.eval().encode(img * 2 - 1).latent_dist.mean
    base_conv_in = unet.conv_in.base_layer.weight.detach().clone()
    out = root / 'merged'
    res = run_tool(['tools/model_converters/osediff_to_pgpsr.py', '--sd21', sd21, '--release',
                    str(root / 'osediff.pkl'), '--out', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return dict(sd21=sd21, out=str(out), path=str(root / 'osediff.pkl'), log=res.stdout,
                unet_merged=_peft_merged(unet), vae_merged=_peft_merged(vae),
                inputs=(x, ctx, img), unet_out=unet_out, vae_out=vae_out,
                base_conv_in=base_conv_in, n_lora=n_lora)


def test_converted_unet_weights_equal_peft_merge(release):
    merged = UNet2DConditionModel.from_pretrained(release['out'], subfolder='unet')
    got = merged.state_dict()
    assert got.keys() == release['unet_merged'].keys()
    for k, v in release['unet_merged'].items():
        assert torch.allclose(got[k], v, atol=1e-5), (k, (got[k] - v).abs().max())
    # conv_in: retrained base + its own LoRA, not the base alone
    assert (got['conv_in.weight'] - release['base_conv_in']).abs().max() > 1e-2
    assert '"lora_modules": %d' % release['n_lora'] in release['log']


def test_converted_unet_output_equals_the_peft_unet_at_t999(release):
    x, ctx, _ = release['inputs']
    merged = UNet2DConditionModel.from_pretrained(release['out'], subfolder='unet').eval()
    with torch.no_grad():
        out = merged(x, torch.tensor([999]), encoder_hidden_states=ctx).sample
    assert torch.allclose(out, release['unet_out'], atol=1e-5), \
        (out - release['unet_out']).abs().max()


def test_converted_vae_equals_peft_merge(release):
    _, _, img = release['inputs']
    merged = AutoencoderKL.from_pretrained(release['out'], subfolder='vae').eval()
    got = merged.state_dict()
    for k, v in release['vae_merged'].items():
        assert torch.allclose(got[k], v, atol=1e-5), (k, (got[k] - v).abs().max())
    with torch.no_grad():
        out = merged.encode(img * 2 - 1).latent_dist.mean
    assert torch.allclose(out, release['vae_out'], atol=1e-5), \
        (out - release['vae_out']).abs().max()


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
    test_osediff.py's steps written out with Pillow and the diffusers models: the 8-bit LR
    resized by Pillow (bicubic) before ToTensor, ``latent_dist.sample()`` from the global
    RNG, eps at t=999, x0, decode, clamp (its colour fix, AdaIN, is set in the config)."""
    import math

    import numpy as np
    from mmengine.config import Config
    from PIL import Image

    from pgpsr.registry import MODELS
    from tests.test_tools.helpers import ROOT
    cfg = Config.fromfile(f'{ROOT}/configs/adcsr/osediff_teacher_x4.py')
    assert cfg.model.test_cfg.color_fix == 'adain'  # --align_method's default
    cfg.model.codec.pretrained = cfg.model.backbone.pretrained = release['out']
    cfg.model.test_cfg.update(tile=None, color_fix='none')
    model = MODELS.build(cfg.model).eval()
    rng = np.random.default_rng(3)
    lq_u8 = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    lq_u8[2:5, 2:5] = [0, 255, 0]  # hard edges: Pillow's and torch's bicubics differ most
    lr = torch.from_numpy(lq_u8).permute(2, 0, 1)[None].float() / 127.5 - 1
    torch.manual_seed(5)
    with torch.no_grad():
        sr = model.sample(lr)
    with torch.no_grad():
        vae = AutoencoderKL.from_pretrained(release['out'], subfolder='vae').eval()
        unet = UNet2DConditionModel.from_pretrained(release['out'], subfolder='unet').eval()
        up = Image.fromarray(lq_u8).resize((32, 32))  # Pillow's default filter: bicubic
        lq = torch.from_numpy(np.asarray(up).copy()).permute(2, 0, 1)[None].float() / 255
        lq = lq * 2 - 1
        sf = vae.config.scaling_factor
        torch.manual_seed(5)
        z = vae.encode(lq).latent_dist.sample() * sf
        ctx = model.backbone.conditioning_kwargs(1, z.dtype)[0]
        eps = unet(z, torch.tensor([999]), encoder_hidden_states=ctx).sample
        abar = model.scheduler.alphas_cumprod[999].item()
        x0 = (z - math.sqrt(1 - abar) * eps) / math.sqrt(abar)
        expected = vae.decode(x0 / sf).sample.clamp(-1, 1)
    assert sr.shape == (1, 3, 32, 32)
    # outputs in [-1, 1] from the same modules on the same inputs; only the x0 formula's
    # float order differs: 1e-4 of the range
    assert torch.allclose(sr, expected, atol=1e-4), (sr - expected).abs().max()


def test_the_teacher_folder_carries_sd21s_text_encoder_for_the_null_prompt(release):
    """The converted folder's null prompt is SD2.1's CLIP applied to '' (transformers,
    written out here), not zeros."""
    from transformers import CLIPTextModel, CLIPTokenizer

    from pgpsr.registry import MODELS
    tok = CLIPTokenizer.from_pretrained(f"{release['sd21']}/tokenizer")
    enc = CLIPTextModel.from_pretrained(f"{release['sd21']}/text_encoder").eval()
    ids = tok('', padding='max_length', max_length=tok.model_max_length,
              return_tensors='pt').input_ids
    with torch.no_grad():
        want = enc(ids).last_hidden_state
    backbone = MODELS.build(dict(type='DiffusersUNetDenoiser', pretrained=release['out'],
                                 subfolder='unet', conditioning='input'))
    assert want.abs().max() > 0.1
    assert torch.allclose(backbone.prompt_embeds, want, atol=1e-6)
