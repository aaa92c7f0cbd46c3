"""AdcSR's reference discriminator (train.py + utils.py add_lora_to_unet, written out
here): a copy of plain SD2.1's UNet, conv_in widened to the features (weights repeated and
divided by the copies), LoRA adapters by diffusers' own ``add_adapter`` on the reference's
targets, only LoRA + conv_in trained. pgpsr's ``discriminator=dict(init=..., lora_rank=4)``
must hold the same tensors under the same names, give the same logits, and keep the rest
frozen through training steps."""
import copy

import pytest
import torch
from diffusers import UNet2DConditionModel
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from pgpsr.apis import load_config
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS
from tests.test_tools.helpers import ROOT, add_reference_lora, photo_sr_batch

GREP = ['to_k', 'to_q', 'to_v', 'to_out.0', 'conv', 'conv1', 'conv2', 'conv_shortcut',
        'conv_out', 'proj_out', 'proj_in', 'ff.net.2', 'ff.net.0.proj']


def add_lora_to_unet(unet, rank=4):
    """utils.py's add_lora_to_unet (OSEDiff's loop on AdcSR's ``GREP``)."""
    add_reference_lora(unet, GREP, rank)
    return unet


def reference_discriminator(sd21, feat_ch):
    unet_d = UNet2DConditionModel.from_pretrained(sd21, subfolder='unet')
    old = unet_d.conv_in
    reps = feat_ch // old.in_channels
    new = torch.nn.Conv2d(feat_ch, old.out_channels, 3, padding=1)
    new.weight.data = old.weight.data.repeat(1, reps, 1, 1) / reps
    new.bias.data = old.bias.data
    unet_d.conv_in = new
    unet_d = add_lora_to_unet(unet_d)
    unet_d.set_adapters(['default_encoder', 'default_decoder', 'default_others'])
    for n, p in unet_d.named_parameters():
        p.requires_grad_('lora' in n or 'conv_in' in n)
    return unet_d


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp('lora_d')
    osediff = save_tiny_pipeline('sd21', str(root / 'osediff'))
    sd21 = save_tiny_pipeline('sd21', str(root / 'sd21'), seed=3)
    init_default_scope('pgpsr')
    cfg = load_config(f'{ROOT}/configs/adcsr/adcsr_osediff_tiny_stage2_x4.py')
    cfg.model.teacher.codec.pretrained = cfg.model.teacher.backbone.pretrained = osediff
    cfg.model.discriminator = dict(init=dict(pretrained=sd21, subfolder='unet'), lora_rank=4)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    return model, cfg, sd21


def test_discriminator_is_the_references_lora_copy_of_sd21(setup):
    model, _, sd21 = setup
    ours = model.discriminator.denoiser.unet
    feat_ch = ours.conv_in.base_layer.in_channels
    ref = reference_discriminator(sd21, feat_ch)
    assert ours.state_dict().keys() == ref.state_dict().keys()
    assert {n for n, p in ours.named_parameters() if p.requires_grad} == \
        {n for n, p in ref.named_parameters() if p.requires_grad}
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():  # trained LoRA halves (B starts at zero)
        for n, p in ours.named_parameters():
            if 'lora_B' in n:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
    for k, v in ref.state_dict().items():
        if 'lora_A' not in k and 'lora_B' not in k:
            assert torch.equal(v, ours.state_dict()[k]), k  # SD2.1's, conv_in widened
    ref.load_state_dict(ours.state_dict(), strict=True)
    feats = torch.randn(2, feat_ch, 8, 8, generator=gen)
    ehs = model.teacher.backbone.conditioning_kwargs(2, feats.dtype)[0]
    with torch.no_grad():
        want = ref(feats, torch.tensor([999, 999]), encoder_hidden_states=ehs).sample
        got = model.discriminator(feats)
    assert torch.allclose(got, want, atol=1e-5), (got - want).abs().max()


def test_training_moves_only_lora_and_conv_in(setup):
    model, cfg, _ = setup
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    before = {n: p.detach().clone() for n, p in model.discriminator.named_parameters()}
    for _ in range(2):
        model.train_step(photo_sr_batch(32), optim)
    moved = {n for n, p in model.discriminator.named_parameters()
             if not torch.equal(p, before[n])}
    assert moved and all('lora' in n or 'conv_in' in n for n in moved), sorted(moved)[:5]
