"""AdcSR on an OSEDiff-style teacher (a diffusers SD2.1-layout UNet + VAE from a folder):
the student is AdcSR's (t=999 folded, no cross-attention, 75% widths, pixel-unshuffled
input, half decoder), runs any LR size to exactly 4x, both stages lower their losses on a
fixed batch, the discriminator gives the generator a gradient at step 1, and the real-size
student matches the paper's 456M parameters."""
import copy

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from pgpsr.apis import load_config
from pgpsr.models.editors.adcsr.unet_surgery import fold_timestep
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS
from tests.test_tools.helpers import ROOT, photo_sr_batch as _batch
from tests.tolerances import dot_bound


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    return save_tiny_pipeline('sd21', str(tmp_path_factory.mktemp('osediff') / 'sd21'))


def _model(stage, folder, **over):
    init_default_scope('pgpsr')
    cfg = load_config(f'{ROOT}/configs/adcsr/adcsr_osediff_tiny_stage{stage}_x4.py')
    cfg.model.teacher.codec.pretrained = cfg.model.teacher.backbone.pretrained = folder
    cfg.model.update(over)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    return model, build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))


def test_student_is_adcsrs_surgery_of_the_teacher(folder):
    model, _ = _model(2, folder)
    unet = model.generator.unet.unet
    teacher = model.teacher.backbone.unet
    assert list(unet.config.block_out_channels) == [24, 48]
    assert unet.conv_in.in_channels == 12  # PixelUnshuffle(2) of RGB
    assert unet.conv_out.out_channels == model.generator.decoder.conv_in.out_channels
    assert not any('time_emb' in n or 'attn2' in n for n, _ in unet.named_parameters())
    # the teacher is untouched by the surgery on its copy
    assert teacher.time_embedding.linear_1.weight.numel() > 0
    assert teacher.down_blocks[0].attentions[0].transformer_blocks[0].attn2 is not None
    w = teacher.down_blocks[0].resnets[0].conv2.weight
    assert torch.equal(unet.down_blocks[0].resnets[0].conv2.weight, w[:24, :24])
    # conv1 biases carry the teacher's t=999 time shift (folded, not dropped)
    folded = copy.deepcopy(teacher)
    fold_timestep(folded, 999)
    bias = unet.down_blocks[0].resnets[0].conv1.bias
    assert torch.equal(bias, folded.down_blocks[0].resnets[0].conv1.bias[:24])
    assert (bias - teacher.down_blocks[0].resnets[0].conv1.bias[:24]).abs().max() > 1e-3


@pytest.mark.parametrize('hw', [(16, 16), (37, 23)])
def test_any_lr_size_comes_back_exactly_x4(folder, hw):
    model, _ = _model(2, folder)
    lr = torch.rand(1, 3, *hw) * 2 - 1
    sr = model.eval().sample_any_size(lr)
    assert sr.shape == (1, 3, hw[0] * 4, hw[1] * 4) and torch.isfinite(sr).all()


def test_discriminator_is_the_teachers_unet_on_features(folder):
    model, _ = _model(2, folder)
    d = model.discriminator.denoiser.unet
    t = model.teacher.backbone.unet
    assert d.conv_in.in_channels == model.generator.decoder.conv_in.out_channels
    assert torch.equal(d.mid_block.resnets[0].conv1.weight, t.mid_block.resnets[0].conv1.weight)
    assert all(p.requires_grad for p in d.parameters())
    feats = model.generator(torch.rand(2, 3, 16, 16) * 2 - 1, mode='features')
    loss = model.gan_loss(model.discriminator(feats).float(), True)
    loss.backward()
    g = model.generator.unet.unet.conv_out.weight.grad
    assert g is not None and g.abs().max() > 0  # an adversarial gradient from step 1


@pytest.mark.parametrize('stage', [1, 2])
def test_each_stage_lowers_its_losses_on_a_fixed_batch(folder, stage):
    model, optim = _model(stage, folder)
    batch = _batch(64)
    logs = [model.train_step(copy.deepcopy(batch), optim) for _ in range(25)]
    l1 = [float(lg['loss_l1']) for lg in logs]
    assert {'loss_l1', 'loss_gan_g', 'loss_d_fake', 'loss_d_real'} <= set(logs[0])
    assert all(torch.isfinite(v) for lg in logs for v in lg.values())
    # stage 2's targets are the random tiny teacher's large features: slower, but steady
    assert sum(l1[-5:]) / 5 < dict([(1, 0.9), (2, 0.98)])[stage] * sum(l1[:3]) / 3, l1


def test_real_size_student_is_the_papers():
    from pgpsr.analysis.adcsr_real_size import count
    init_default_scope('pgpsr')
    report = count(f'{ROOT}/configs/adcsr/adcsr_osediff_stage1_x4.py', (128, 128))
    student = report['rows']['adcsr_student']
    assert 450e6 < student['params'] < 462e6  # the paper: "about 456M"
    assert report['parts']['teacher_unet'] == 865910724  # SD2.1-base's UNet
    assert report['rows']['adcsr_student']['ratio']['macs'] < 0.3  # to OSEDiff
    assert report['rows']['adcsr_student']['ratio']['params'] < 0.5


def test_discriminator_conv_in_averages_the_teachers_tiled_weights():
    """Oracle: AdcSR widens conv_in to 256 feature channels as
    ``old.repeat(1, 64, 1, 1) / 64``, so 64 copies of a 4-channel x give the old conv's
    (and the old denoiser's) response to x."""
    from pgpsr.models.editors.adcsr.unet_student import build_unet_discriminator
    from pgpsr.models.pretrained.tiny_pretrained import tiny_model

    class Teacher:
        backbone = torch.nn.Module()
        test_cfg = dict(one_step_timestep=999)
    Teacher.backbone.unet = tiny_model('sd21').eval()
    old = Teacher.backbone.unet.conv_in
    unet = build_unet_discriminator(Teacher, 256).denoiser.unet.eval()
    assert unet.conv_in.in_channels == 256 and unet.config.in_channels == 256
    want = old.weight.detach().repeat(1, 64, 1, 1) / 64
    ratio = float(unet.conv_in.weight.detach().norm() / want.norm())
    assert torch.allclose(unet.conv_in.weight, want, atol=1e-8), f'|weight| / |want| = {ratio}'
    assert torch.equal(unet.conv_in.bias, old.bias)
    torch.manual_seed(0)
    x, t = torch.randn(2, 4, 16, 16), torch.tensor([999, 999])
    ehs = torch.randn(2, 5, Teacher.backbone.unet.config.cross_attention_dim)
    with torch.no_grad():
        want = torch.nn.functional.conv2d(x, old.weight, old.bias, padding=1)
        err = (unet.conv_in(x.repeat(1, 64, 1, 1)) - want).abs()
        # both are float sums equal in exact arithmetic: 256 x 9 (+ bias) and 4 x 9 (+ bias)
        # products whose absolute values add up to |x| * |w_old| (+ |bias|) either way
        abs_sum = torch.nn.functional.conv2d(x.abs(), old.weight.abs(), old.bias.abs(),
                                             padding=1)
        bound = dot_bound(256 * 9 + 1, abs_sum) + dot_bound(4 * 9 + 1, abs_sum)
        assert (err <= bound).all(), \
            f'conv_in on 64 copies vs the old conv: {err.max():.3g} > {bound.max():.3g}'
        want = Teacher.backbone.unet(x, t, encoder_hidden_states=ehs).sample
        got = unet(x.repeat(1, 64, 1, 1), t, encoder_hidden_states=ehs).sample
        assert (got - want).abs().max() < 1e-4 and want.abs().mean() > 0.05


def test_student_init_slices_another_unet_than_the_teachers(folder, tmp_path):
    """The reference slices plain SD2.1-base (``pipe.unet``), not OSEDiff: with
    ``student_init`` every sliced tensor is that UNet's, time folded from its own."""
    from diffusers import UNet2DConditionModel
    sd21 = save_tiny_pipeline('sd21', str(tmp_path / 'sd21'), seed=5)
    model, _ = _model(2, folder, student_init=dict(pretrained=sd21, subfolder='unet'))
    base = UNet2DConditionModel.from_pretrained(sd21, subfolder='unet')
    unet, teacher = model.generator.unet.unet, model.teacher.backbone.unet
    w = unet.down_blocks[1].resnets[0].conv2.weight
    assert torch.equal(w, base.down_blocks[1].resnets[0].conv2.weight[:48, :48])
    assert not torch.equal(w, teacher.down_blocks[1].resnets[0].conv2.weight[:48, :48])
    folded = copy.deepcopy(base)
    fold_timestep(folded, 999)
    assert torch.equal(unet.up_blocks[1].resnets[0].conv1.bias,
                       folded.up_blocks[1].resnets[0].conv1.bias[:24])
    other = save_tiny_pipeline('sdxl', str(tmp_path / 'sdxl'))
    with pytest.raises(ValueError, match='student_init: its UNet has another architecture'):
        _model(2, folder, student_init=dict(pretrained=other, subfolder='unet'))
