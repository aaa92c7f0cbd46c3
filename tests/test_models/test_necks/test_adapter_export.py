"""The phase-exchange adapter exported beside a pruned diffusers UNet and re-attached with
``attach_adapter``: a plain ``UNet2DConditionModel.from_pretrained`` + the loader computes
pgpsr's model (backbone + adapter) at every insertion mode, pruned sites included; the
hooks come off again; an adapter the UNet's input cannot feed is refused."""
import pytest
import torch
from diffusers import UNet2DConditionModel

from pgpsr.models.backbones.diffusers_export import save_diffusers
from pgpsr.models.necks import attach_adapter, save_adapter
from pgpsr.models.necks.adapter_export import adapter_spec
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS

# exportable removals, with a pruned decoder unit at the start of an up block (SDXL)
DROPS = dict(sd21=['encoder.0.1', 'decoder.0.1', 'bottleneck.1'],
             sdxl=['encoder.2.1', 'decoder.2.0', 'encoder.1.1', 'decoder.1.1',
                   'decoder.1.0.attn.1'])


@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp('pipes')
    return {arch: save_tiny_pipeline(arch, str(root / arch)) for arch in DROPS}


def model_with_adapter(folder, insert, conditioning='concat'):
    torch.manual_seed(0)
    neck = dict(type='PhaseExchangeAdapter', channels=4 if insert == 'output' else 'auto',
                cond_channels=4, insert=insert, blend=True)
    model = MODELS.build(dict(
        type='PGPDiffSR', scale=4, neck=neck,
        codec=dict(type='AutoencoderKLCodec', pretrained=folder, subfolder='vae'),
        backbone=dict(type='DiffusersUNetDenoiser', pretrained=folder, subfolder='unet',
                      conditioning=conditioning),
        scheduler=dict(type='DDPMScheduler'), sample_scheduler=dict(type='DDIMScheduler')))
    with torch.no_grad():  # a trained adapter: its fusion is no longer zero
        for p in model.neck.parameters():
            p.normal_(0, 0.2)
    return model.eval()


@pytest.mark.parametrize('arch,insert', [
    ('sd21', 'decoder_blocks'), ('sd21', 'output'), ('sdxl', 'decoder_blocks'),
    ('sdxl', 'decoder_output'), ('sdxl', 'decoder_input')])
def test_loader_reproduces_pgpsr_output(folders, arch, insert, tmp_path):
    model = model_with_adapter(folders[arch], insert)
    for n in DROPS[arch]:
        model.backbone.drop_block(n)
    save_diffusers(model.backbone, str(tmp_path))
    assert save_adapter(model, str(tmp_path / 'adapter')) == ['adapter_config.json',
                                                               'adapter.safetensors']
    unet = UNet2DConditionModel.from_pretrained(str(tmp_path)).eval()
    adapter = attach_adapter(unet, str(tmp_path / 'adapter'))
    x, c, t = torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8), torch.tensor([5, 900])
    ehs, added = model.backbone.conditioning_kwargs(2, x.dtype)
    kw = dict(encoder_hidden_states=ehs, added_cond_kwargs=added)
    with torch.no_grad():
        want = model.denoise(x, t, c)  # pgpsr: backbone with the adapter at its sites
        bare = model.backbone(x, t, c)
        got = unet(torch.cat([x, c], 1), t, **kw).sample
        adapter.remove()
        off = unet(torch.cat([x, c], 1), t, **kw).sample
    assert (want - bare).abs().max() > 0.05  # the adapter matters
    assert (got - want).abs().max() <= 1e-5
    assert (off - bare).abs().max() <= 1e-5


def test_an_adapter_without_its_condition_in_the_input_is_refused(folders):
    model = model_with_adapter(folders['sd21'], 'decoder_blocks', conditioning='input')
    with pytest.raises(ValueError, match="does not take it as input \\(conditioning='input'\\)"):
        adapter_spec(model)
