"""AdcSR built from its configs: student sliced from a saved teacher, both stages train
(finite, decreasing) on a fixed real-photo batch, bf16/fp16 stay finite, odd sizes come
back exactly x4 (the OSEDiff student: test_unet_student.py)."""
import copy

import numpy as np
import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from pgpsr.apis import load_config
from pgpsr.pruning.complexity import count_params
from pgpsr.registry import MODELS
from pgpsr.utils.pretrained import MissingWeightsError
from tests.test_tools.helpers import ROOT, photo_sr_batch as _batch


def _cfg(stage):
    init_default_scope('pgpsr')
    return load_config(f'{ROOT}/configs/adcsr/adcsr_tiny_stage{stage}_x4.py')


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    torch.manual_seed(1)
    teacher = MODELS.build(_cfg(1).model.teacher)
    for p in teacher.parameters():
        p.data.add_(torch.randn_like(p) * 0.02)  # not the initial state: slicing must copy it
    path = tmp_path_factory.mktemp('t') / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), path)
    return str(path)


def _model(stage, teacher_ckpt, **over):
    cfg = _cfg(stage)
    cfg.model.teacher_ckpt = teacher_ckpt
    cfg.model.update(over)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    return model, build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))


def test_student_is_sliced_from_the_saved_teacher(teacher_ckpt):
    model, _ = _model(2, teacher_ckpt)
    saved = torch.load(teacher_ckpt, weights_only=False)['state_dict']
    assert torch.equal(model.teacher.backbone.conv_in.weight, saved['backbone.conv_in.weight'])
    w = saved['backbone.enc_units.1.resnet.conv2.weight']
    assert torch.equal(model.generator.unet.enc_units[1].resnet.conv2.weight, w[:24, :24])
    dec = saved['codec.vae.decoder.up_blocks.0.resnets.0.conv1.weight']
    assert torch.equal(model.generator.decoder.up_blocks[0].resnets[0].conv1.weight,
                       dec[:16, :16])
    assert model.generator.unet.t_embed is None  # no time embedding in the student
    assert count_params(model.generator) < 0.5 * count_params(model.teacher)
    # frozen: the teacher always; the decoder in stage 2
    assert not any(p.requires_grad for p in model.teacher.parameters())
    assert not any(p.requires_grad for p in model.generator.decoder.parameters())
    assert all(p.requires_grad for p in model.generator.unet.parameters())
    model.train()  # as the runner does every iteration: the teacher stays in eval mode
    assert model.generator.training and not model.teacher.training
    assert not any(m.training for m in model.teacher.modules())


def test_missing_teacher_weights_name_the_key(tmp_path):
    with pytest.raises(MissingWeightsError, match='AdcSR.teacher_ckpt'):
        _model(2, str(tmp_path / 'nope.pth'))


@pytest.mark.parametrize('stage', [1, 2])
def test_both_stages_lower_their_l1_on_a_fixed_batch(stage, teacher_ckpt):
    model, optim = _model(stage, teacher_ckpt)
    batch = _batch()
    logs = [model.train_step(copy.deepcopy(batch), optim) for _ in range(25)]
    l1 = [float(log['loss_l1']) for log in logs]
    assert all(np.isfinite(float(v)) for log in logs for v in log.values())
    assert {'loss_l1', 'loss_gan_g', 'loss_d_fake', 'loss_d_real'} <= set(logs[0])
    assert np.mean(l1[-5:]) < 0.8 * np.mean(l1[:3]), l1


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_low_precision_training_stays_finite(dtype, teacher_ckpt):
    model, optim = _model(2, teacher_ckpt)
    batch = _batch(32)  # small: CPU fp16 is emulated (about 3 s a step on one busy core)
    with torch.autocast('cpu', dtype=dtype):
        for _ in range(8):  # an overflow in a forward shows in the first steps
            log = model.train_step(copy.deepcopy(batch), optim)  # raises on a non-finite loss
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert np.isfinite(float(log['loss']))


def test_a_non_finite_loss_stops_training_with_its_name(teacher_ckpt):
    model, optim = _model(2, teacher_ckpt)
    with torch.no_grad():
        model.generator.unet.conv_in.weight.fill_(float('nan'))
    with pytest.raises(FloatingPointError, match=r'AdcSR stage 2: loss_(l1|gan_g|d_fake|d_real) is nan'):
        model.train_step(_batch(32), optim)


def test_stage2_adversarial_gradient_reaches_the_generator_from_step_one(teacher_ckpt):
    """The discriminator's logit head is not zero at the start: the generator's GAN loss
    has a gradient before the discriminator has trained at all."""
    model, _ = _model(2, teacher_ckpt)
    assert model.discriminator.conv_out.weight.abs().sum() > 0
    lr = _batch(32)['inputs'][0][None] / 127.5 - 1
    fake = model.generator(lr, mode='features')
    loss = model._g_gan(fake)
    grads = torch.autograd.grad(loss, [p for p in model.generator.parameters()
                                       if p.requires_grad])
    assert sum(float(g.abs().sum()) for g in grads if g is not None) > 0


def test_odd_sizes_come_back_exactly_x4(teacher_ckpt):
    model, _ = _model(2, teacher_ckpt)
    model.eval()
    for h, w in ((13, 17), (5, 9), (32, 8)):
        out = model.sample(torch.rand(1, 3, h, w) * 2 - 1)
        assert out.shape == (1, 3, 4 * h, 4 * w) and torch.isfinite(out).all()
    with pytest.raises(ValueError, match='LR crops must be multiples of 4 px'):
        model.check_training_pair(torch.zeros(1, 3, 10, 12), torch.zeros(1, 3, 40, 48))


def test_checkpoint_keys_are_plain_under_separate_ddp_and_load_back(teacher_ckpt):
    """A 1-process gloo group: wrapped generator/discriminator save plain keys, and plain
    keys load back into the wrapped model (resume under DDP)."""
    import torch.distributed as dist
    from mmengine.model import MMSeparateDistributedDataParallel
    from tests.test_tools.helpers import free_port
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{free_port()}', rank=0,
                            world_size=1)
    try:
        model, _ = _model(2, teacher_ckpt)
        plain = {k: v.clone() for k, v in model.state_dict().items()}
        wrapped = MMSeparateDistributedDataParallel(model, device_ids=None)
        state = wrapped.module.state_dict()
        assert state.keys() == plain.keys()
        for p in model.generator.module.unet.parameters():
            p.data.zero_()
        wrapped.module.load_state_dict(plain, strict=True)
        assert all(torch.equal(v, plain[k]) for k, v in wrapped.module.state_dict().items())
    finally:
        dist.destroy_process_group()


def test_stage2_refuses_an_unsaid_decoder_and_logs_the_one_it_uses(teacher_ckpt, tmp_path):
    """No silent start from an untrained decoder: None is refused; a stage-1 file is
    loaded into generator.decoder and named in the log."""
    from mmengine.logging import MMLogger
    with pytest.raises(ValueError, match="set model.decoder_ckpt to the stage-1 checkpoint"):
        _model(2, teacher_ckpt, decoder_ckpt=None)
    stage1, _ = _model(1, teacher_ckpt)
    for p in stage1.generator.decoder.parameters():
        p.data.add_(1.0)
    torch.save(dict(state_dict=stage1.state_dict()), tmp_path / 's1.pth')
    seen = []
    logger = MMLogger.get_current_instance()
    handler = __import__('logging').Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger.addHandler(handler)
    try:
        model, _ = _model(2, teacher_ckpt, decoder_ckpt=str(tmp_path / 's1.pth'))
    finally:
        logger.removeHandler(handler)
    for (n, a), b in zip(model.generator.decoder.named_parameters(),
                         stage1.generator.decoder.parameters()):
        assert torch.equal(a, b), n
    assert f'AdcSR decoder: generator.decoder of {tmp_path / "s1.pth"}' in seen


def test_inference_only_adcsr_builds_no_discriminator_and_refuses_training(teacher_ckpt):
    cfg = _cfg(2)
    cfg.model.update(teacher_ckpt=teacher_ckpt, stage=None, decoder_ckpt='from_checkpoint')
    model = MODELS.build(cfg.model)
    assert model.discriminator is None
    with pytest.raises(RuntimeError, match='inference only'):
        model.train_step(_batch(32), None)


def test_a_teacher_backbone_without_a_sliceable_unet_is_refused_at_build():
    cfg = _cfg(2).model
    cfg.teacher.backbone = dict(type='DiTDenoiser', in_channels=4, patch_size=2,
                                hidden_size=32, num_heads=2, depth=(1, 1, 1))
    with pytest.raises(TypeError, match='teacher backbone DiTDenoiser cannot give the student '
                                        'and discriminator: .*conv_in, conv_out and a '
                                        'time_embedding'):
        MODELS.build(cfg)


@pytest.mark.parametrize('clamp_raw', [True, False])
def test_sample_is_the_student_path_clamped_only_when_clamp_raw(clamp_raw, teacher_ckpt):
    """sample = decoder(unet(PixelUnshuffle(lr))), clamped to [-1, 1] with clamp_raw
    (pgpsr's default) and left raw without (AdcSR's test.py: its AdaIN sees the raw
    output); the parts composed here by hand, with torch's pixel_unshuffle."""
    model, _ = _model(2, teacher_ckpt, test_cfg=dict(clamp_raw=clamp_raw))
    model.eval()
    student = model.generator
    with torch.no_grad():
        student.decoder.conv_out.weight.mul_(50)  # an output well outside [-1, 1]
        lr = torch.rand(1, 3, 8, 12, generator=torch.Generator().manual_seed(0)) * 2 - 1
        k = student.unshuffle.downscale_factor
        raw = student.decode(student.unet(torch.nn.functional.pixel_unshuffle(lr, k)))
        got = model.sample(lr)
    assert raw.abs().max() > 1.5 and raw.shape == (1, 3, 32, 48)
    want = raw.clamp(-1, 1) if clamp_raw else raw
    assert torch.equal(got, want)
