"""AdcSR stage 2 against the reference's training step (Guaishou74851/AdcSR train.py,
written out here from reading it): with ``feature_point='mid_block'`` and ``gt_vae`` the
losses of pgpsr's first step equal the reference's L1 between the student's output (after
its trainable mid-block copy) and the teacher's clean latent through the frozen
decoder's conv_in + mid block, softplus(-D(student)), and D's softplus terms on the
student and on GT encoded by the other VAE (posterior mean, its post_quant_conv)."""
import copy

import pytest
import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL, UNet2DConditionModel
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from pgpsr.apis import load_config
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS
from tests.test_tools.helpers import ROOT, photo_sr_batch


@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp('adcsr_ref')
    return (save_tiny_pipeline('sd21', str(root / 'osediff')),
            save_tiny_pipeline('sd21', str(root / 'sd21'), seed=7))


def _model(osediff, sd21, **over):
    init_default_scope('pgpsr')
    cfg = load_config(f'{ROOT}/configs/adcsr/adcsr_osediff_tiny_stage2_x4.py')
    cfg.model.teacher.codec.pretrained = cfg.model.teacher.backbone.pretrained = osediff
    cfg.model.update(feature_point='mid_block', gan_loss=dict(loss_weight=1.0),
                     gt_vae=dict(pretrained=sd21, subfolder='vae'), **over)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    return model, build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))


def _batch():
    """Photos with a hard black/white edge pasted in: its bicubic upscale overshoots
    [-1, 1], where train.py's unclamped teacher input and a clamped one differ."""
    batch = photo_sr_batch(32)
    for x in batch['inputs']:
        x[:, 2:6, 2:6] = 0.0
        x[:, 2:6, 6:10] = 255.0
    return batch


def reference_losses(model, osediff, sd21, lr, hr):
    """train.py's step, with the modules it names: vae_teacher / unet_teacher (OSEDiff),
    vae (SD), decoder (the frozen half decoder), model (the student Net), model_D."""
    vae_teacher = AutoencoderKL.from_pretrained(osediff, subfolder='vae')
    unet_teacher = UNet2DConditionModel.from_pretrained(osediff, subfolder='unet')
    vae = AutoencoderKL.from_pretrained(sd21, subfolder='vae')
    decoder, student = model.generator.decoder, model.generator
    ehs = model.teacher.backbone.conditioning_kwargs(lr.shape[0], lr.dtype)[0]
    alpha = model.teacher.scheduler.alphas_cumprod[999]
    t = torch.tensor([999] * lr.shape[0])
    sf = vae_teacher.config.scaling_factor
    with torch.no_grad():
        # train.py: the teacher under fp16 autocast (CPU autocast here), input unclamped
        with torch.autocast(lr.device.type, dtype=torch.float16):
            lr_up = F.interpolate(lr, scale_factor=4, mode='bicubic')
            lr_latents = vae_teacher.encode(lr_up).latent_dist.mean * sf
            pred = unet_teacher(lr_latents, t, encoder_hidden_states=ehs).sample
            z0_teacher = (lr_latents - (1 - alpha) ** 0.5 * pred) / alpha ** 0.5
        z0 = decoder.mid_block(decoder.conv_in(
            vae_teacher.post_quant_conv(z0_teacher.float() / sf)), None)
        hr_latents = vae.encode(hr).latent_dist.mean
        z0_gt = decoder.mid_block(decoder.conv_in(vae.post_quant_conv(hr_latents)), None)
        z0_student = student.body_mid(student.unet(F.pixel_unshuffle(lr, 2)), None)
        d_fake, d_real = model.discriminator(z0_student), model.discriminator(z0_gt)
    return dict(z0_teacher=z0_teacher, loss_l1=(z0_student - z0).abs().mean(),
                loss_gan_g=F.softplus(-d_fake).mean(),
                loss_d_fake=F.softplus(d_fake).mean(), loss_d_real=F.softplus(-d_real).mean())


def test_first_step_losses_equal_the_reference_train_step(folders):
    osediff, sd21 = folders
    model, optim = _model(osediff, sd21, decoder_ckpt='sliced')
    batch = _batch()
    data = model.data_preprocessor(copy.deepcopy(batch), True)
    lr, hr = data['inputs'], data['data_samples'].gt_img
    up = F.interpolate(lr, scale_factor=4, mode='bicubic')
    assert up.abs().max() > 1.05  # the overshoot that train.py keeps
    want = reference_losses(model, osediff, sd21, lr, hr)
    z0_teacher = want.pop('z0_teacher')
    dtypes = []
    hook = model.teacher.backbone.unet.conv_out.register_forward_hook(
        lambda m, args, out: dtypes.append(out.dtype))
    with torch.no_grad():
        got = model.teacher_latent(lr)
    hook.remove()
    assert dtypes == [torch.float16]  # the teacher's UNet ran under fp16 autocast
    # the same fp16 UNet on the same input; x0's formula rounds differently (the
    # reference in fp16, pgpsr in fp32 from per-sample alphas): a few fp16 ulps
    eps16 = torch.finfo(torch.float16).eps
    assert (got - z0_teacher.float()).abs().max() <= 4 * eps16 * z0_teacher.abs().max()
    log = model.train_step(batch, optim)
    for k, v in want.items():
        # L1 to the teacher's target inherits its fp16 rounding (relative eps16); the
        # rest are float32 means of the same modules' outputs: relative, slack for order
        rel = eps16 if k == 'loss_l1' else 1e-4
        assert abs(float(log[k]) - float(v)) <= rel * abs(float(v)), \
            (k, float(log[k]), float(v))


def test_the_student_ends_in_its_own_trainable_mid_block(folders):
    osediff, sd21 = folders
    model, optim = _model(osediff, sd21, decoder_ckpt='sliced')
    frozen = copy.deepcopy(model.generator.decoder.state_dict())
    own = copy.deepcopy(model.generator.body_mid.state_dict())
    assert all(torch.equal(v, frozen[f'mid_block.{k}']) for k, v in own.items())
    model.train_step(_batch(), optim)
    assert all(torch.equal(v, model.generator.decoder.state_dict()[k])
               for k, v in frozen.items())  # the decoder stays stage 1's
    assert any(not torch.equal(v, model.generator.body_mid.state_dict()[k])
               for k, v in own.items())  # its copy trains


def test_teacher_latent_of_a_wider_than_tall_lr_is_the_reference_one(folders):
    """train.py's teacher latent (fp16 autocast, unclamped bicubic, posterior mean, one
    epsilon step at t=999) for an LR wider than tall: the whole latent, both sides."""
    osediff, sd21 = folders
    model, _ = _model(osediff, sd21, decoder_ckpt='sliced')
    data = model.data_preprocessor(copy.deepcopy(_batch()), True)
    lr = data['inputs'][..., :data['inputs'].shape[-2] // 2, :]  # h = w / 2
    h, w = lr.shape[-2:]
    assert w > h and h % 4 == 0
    vae_teacher = AutoencoderKL.from_pretrained(osediff, subfolder='vae')
    unet_teacher = UNet2DConditionModel.from_pretrained(osediff, subfolder='unet')
    ehs = model.teacher.backbone.conditioning_kwargs(lr.shape[0], lr.dtype)[0]
    alpha = model.teacher.scheduler.alphas_cumprod[999]
    with torch.no_grad(), torch.autocast(lr.device.type, dtype=torch.float16):
        lr_latents = vae_teacher.encode(F.interpolate(lr, scale_factor=4, mode='bicubic')
                                        ).latent_dist.mean * vae_teacher.config.scaling_factor
        pred = unet_teacher(lr_latents, torch.tensor([999] * lr.shape[0]),
                            encoder_hidden_states=ehs).sample
        want = ((lr_latents - (1 - alpha) ** 0.5 * pred) / alpha ** 0.5).float()
        got = model.teacher_latent(lr)
    assert want.shape[-2:] == (h * 4 // 8, w * 4 // 8)  # x4, then the VAE's /8
    assert got.shape == want.shape
    ulp16 = torch.finfo(torch.float16).eps * want.abs().max()  # as the square test above
    assert (got - want).abs().max() <= 4 * ulp16
