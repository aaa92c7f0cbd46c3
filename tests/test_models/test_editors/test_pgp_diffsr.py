import copy

import pytest
import torch
from mmagic.structures import DataSample
from mmengine.optim import OptimWrapper

from pgpsr.models.diffusion_utils import build_scheduler, predict_x0, training_target
from pgpsr.registry import MODELS

BASE = dict(
    type='PGPDiffSR', scale=4,
    codec=dict(type='PixelUnshuffleCodec', factor=2),
    backbone=dict(type='DiTDenoiser', in_channels=12, patch_size=2, hidden_size=32,
                  num_heads=2, depth=(1, 1, 1)),
    scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                   beta_schedule='scaled_linear', prediction_type='epsilon'),
    test_cfg=dict(num_steps=3, seed=0),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))


def build(**over):
    cfg = copy.deepcopy(BASE)
    for k, v in over.items():
        cfg[k] = {**cfg[k], **v} if isinstance(v, dict) and isinstance(cfg.get(k), dict) else v
    torch.manual_seed(0)
    return MODELS.build(cfg)


def _batch(b=2, size=16):
    g = torch.Generator().manual_seed(0)
    gt = torch.rand(b, 3, size, size, generator=g) * 2 - 1
    lr = torch.nn.functional.interpolate(gt, scale_factor=0.25, mode='area')
    return lr, gt


@pytest.mark.parametrize('h,w', [(5, 7), (9, 13), (1, 3)])
def test_predict_is_exactly_scale_times_lr_for_odd_sizes(h, w):
    model = build(backbone=dict(patch_size=4)).eval()  # divisor 8 at HR, LR padded
    assert model.lr_size_divisor == 2
    out = model.sample(torch.rand(1, 3, h, w) * 2 - 1)
    assert out.shape == (1, 3, 4 * h, 4 * w)
    assert out.abs().max() <= 1


def test_sampling_is_deterministic_with_a_seed_and_changes_with_it():
    model = build().eval()
    with torch.no_grad():
        for p in model.backbone.parameters():
            p.add_(0.02 * torch.randn_like(p))
    lr = _batch()[0]
    a, b, c = model.sample(lr, seed=1), model.sample(lr, seed=1), model.sample(lr, seed=2)
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_one_step_mode_is_seed_independent():
    model = build(test_cfg=dict(one_step=True)).eval()
    lr = _batch()[0]
    assert torch.equal(model.sample(lr, seed=1), model.sample(lr, seed=2))


@pytest.mark.parametrize('prediction_type', ['epsilon', 'v_prediction', 'sample'])
def test_x0_recovered_from_the_exact_target(prediction_type):
    sched = build_scheduler(dict(type='DDPMScheduler', prediction_type=prediction_type))
    x0, noise = torch.randn(3, 4, 5, 5), torch.randn(3, 4, 5, 5)
    t = torch.tensor([0, 400, 999])
    x_t = sched.add_noise(x0, noise, t)
    target = training_target(sched, x0, noise, t)
    assert torch.allclose(predict_x0(sched, target, x_t, t), x0, atol=1e-3)


def test_sample_scheduler_inherits_training_schedule():
    model = build(scheduler=dict(prediction_type='v_prediction'),
                  sample_scheduler=dict(type='DPMSolverMultistepScheduler'))
    assert model.sample_scheduler.config.prediction_type == 'v_prediction'
    assert model.sample_scheduler.config.beta_schedule == 'scaled_linear'
    out = model.eval().sample(_batch()[0], num_steps=2)
    assert out.shape == (2, 3, 16, 16)


def test_unknown_scheduler_type():
    with pytest.raises(KeyError, match='NotAScheduler'):
        build(scheduler=dict(type='NotAScheduler'))


@pytest.mark.parametrize('over', [{}, {'train_cfg': dict(one_step=True)},
                                  {'backbone': dict(type='UNetDenoiser', in_channels=12,
                                                    block_channels=(16, 32), head_dim=8,
                                                    norm_groups=8, attention_levels=(1,),
                                                    patch_size=None)}])
def test_loss_goes_down_on_a_fixed_batch(over):
    if 'backbone' in over:
        bb = dict(over['backbone'])
        bb.pop('patch_size')
        cfg = copy.deepcopy(BASE)
        cfg['backbone'] = bb
        torch.manual_seed(0)
        model = MODELS.build(cfg)
    else:
        model = build(**over)
    lr, gt = _batch(4)
    opt = OptimWrapper(torch.optim.Adam(model.parameters(), lr=2e-3))
    samples = DataSample(gt_img=gt)
    losses = []
    for _ in range(30):
        # same noise every step: a fixed batch in the full sense
        model.num_train_steps.zero_()
        loss = model(lr, samples, mode='loss')['loss_diffusion']
        opt.update_params(loss)
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0], losses


def test_training_noise_follows_the_step_counter():
    model = build()
    lr, gt = _batch()
    a = model.forward_train(lr, gt)['loss_diffusion']
    b = model.forward_train(lr, gt)['loss_diffusion']
    model.num_train_steps.fill_(0)
    c = model.forward_train(lr, gt)['loss_diffusion']
    assert a.item() == c.item() != b.item()
    assert 'num_train_steps' in model.state_dict()


def test_pixel_loss_term_comes_from_the_registry_with_its_weight():
    batch = _batch()
    out = {}
    for w in (1.0, 0.5):
        torch.manual_seed(0)
        model = build(pixel_loss=dict(type='L1Loss', loss_weight=w),
                      diffusion_loss=dict(type='MSELoss', loss_weight=2 * w))
        out[w] = model.forward_train(*batch)
    assert set(out[1.0]) == {'loss_diffusion', 'loss_pixel'} and out[1.0]['loss_pixel'] > 0
    for key in out[1.0]:
        assert torch.allclose(out[0.5][key], 0.5 * out[1.0][key]), key


def test_predict_mode_returns_the_ddim_sample_written_out_in_pixel_units():
    """predict = (sample + 1) * 127.5, the sample being 3 DDIM steps ('leading': t = 666,
    333, 0; eta 0; x0 clipped to [-1, 1]; alpha_prev of t < 0 is 1) from seed-0 noise,
    pixel-shuffled, cropped and clamped: written out here, not read back from the model."""
    model = _perturbed()
    lr, gt = _batch(1)
    pre = model.data_preprocessor
    data = dict(inputs=[((lr[0] + 1) * 127.5).round()],
                data_samples=[DataSample(gt_img=((gt[0] + 1) * 127.5).round(),
                                         metainfo=dict(img_channel_order='rgb',
                                                       gt_channel_order='rgb'))])
    data = pre(data, training=False)
    out = model(**data, mode='predict')
    assert len(out) == 1
    pred = out[0].output.pred_img
    assert pred.shape == (3, 16, 16)
    lr_in = ((lr[0] + 1) * 127.5).round()[None] / 127.5 - 1  # what the preprocessor gives
    cond = _cond_by_hand(lr_in)
    ab = _alphas_cumprod_by_hand()
    z = torch.randn(cond.shape, generator=torch.Generator().manual_seed(0)).double()
    with torch.no_grad():
        for t in (666, 333, 0):
            eps = model.backbone(z.float(), torch.tensor([t]), cond).double()
            x0 = ((z - (1 - ab[t]).sqrt() * eps) / ab[t].sqrt()).clamp(-1, 1)
            a_prev = ab[t - 333] if t >= 333 else torch.tensor(1.0, dtype=torch.float64)
            z = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
    sample = torch.nn.functional.pixel_shuffle(z, 2)[0].clamp(-1, 1)
    want = ((sample + 1) * 127.5).flip(0)  # mmagic's destruct hands metrics BGR
    # alpha_bar's float32 rounding (<= 1000 eps relative) through 3 steps of O(1) values,
    # in pixel units; the clamps only shrink differences
    tol = 3 * 1000 * EPS32 * 127.5 * float(1 + z.abs().max())
    assert torch.isclose(pred.double(), want, rtol=0, atol=tol).all(), \
        float((pred.double() - want).abs().max())
    assert ((want > 0) & (want < 255)).any()  # not only pixels the clamps decide


def test_bf16_autocast_training_step_is_finite():
    model = build()
    lr, gt = _batch()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model.forward_train(lr, gt)
    losses['loss_diffusion'].backward()
    assert torch.isfinite(losses['loss_diffusion'])
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)


def test_start_from_noised_lr_latent_uses_fewer_steps():
    model = build(test_cfg=dict(start='lr', strength=0.5)).eval()
    calls = []
    model.backbone.register_forward_hook(lambda m, a, o: calls.append(int(a[1][0])))
    out = model.sample(_batch()[0], num_steps=4)
    assert out.shape == (2, 3, 16, 16)
    assert len(calls) == 2 and calls[0] < 600  # the second half of a 4-step DDIM schedule


def test_bad_start_value_is_rejected():
    with pytest.raises(ValueError, match="'noise' or 'lr'"):
        build(test_cfg=dict(start='gt'))


def test_a_training_pair_that_would_need_padding_is_refused_by_name():
    model = build(backbone=dict(patch_size=4))  # latent /2, patches of 4: LR multiples of 2
    d = model.lr_size_divisor
    assert d == 2
    lr, gt = torch.zeros(1, 3, 2 * d, 3 * d), torch.zeros(1, 3, 2 * d * 4, 3 * d * 4)
    model.check_training_pair(lr, gt)  # a fitting crop passes
    with pytest.raises(ValueError, match=f'LR crops must be multiples of {d} px'):
        model.forward_train(lr[..., :-1], gt[..., :-4])
    with pytest.raises(ValueError, match='is not 4x its LR'):
        model.forward_train(lr, gt[..., :-4 * d])


def test_a_distillation_teacher_is_frozen_and_stays_out_of_the_module_tree():
    model, teacher = build(), build()
    with torch.no_grad():
        teacher.backbone.final_linear.weight.normal_()  # DiT's zero-initialised output
    model.set_teacher(teacher, output_weight=1.0)
    assert not teacher.training and not any(p.requires_grad for p in teacher.parameters())
    model.train()  # as the runner does every iteration: the teacher stays in eval mode
    assert model.training and not any(m.training for m in teacher.modules())
    assert set(model.state_dict()) == set(build().state_dict())  # no teacher keys
    assert sum(1 for _ in model.parameters()) == sum(1 for _ in build().parameters())
    lr, gt = _batch()
    losses = model.forward_train(lr, gt)
    assert losses['loss_distill_out'] > 0 and teacher.backbone.final_linear.weight.grad is None


def test_a_bf16_teacher_runs_under_autocast_and_distils_what_the_fp32_one_does():
    model, teacher = build(), build()
    with torch.no_grad():
        for p in teacher.parameters():  # another model than the student, blocks included
            p.add_(torch.randn_like(p) * 0.1)
    lr, gt = _batch()
    model.set_teacher(copy.deepcopy(teacher), output_weight=1.0, feature_weight=0.5)
    want = model.forward_train(lr, gt)
    model.num_train_steps.zero_()  # the same noise and timesteps again
    model.set_teacher(copy.deepcopy(teacher).to(torch.bfloat16), 1.0, 0.5)
    got = model.forward_train(lr, gt)
    assert next(model.frozen_teachers()[0].parameters()).dtype == torch.bfloat16
    for key in ('loss_distill_out', 'loss_distill_feat'):
        assert want[key] > 0 and abs(got[key] - want[key]) < 0.02 * want[key], key


def test_each_rank_draws_its_own_training_noise(monkeypatch):
    """Under DDP the ranks must not draw the same timesteps and noise at a step (their
    batches would share them); one rank redraws the same at the same step (resume).
    The rank is what mmengine's get_rank reports, patched here."""
    import pgpsr.models.editors.pgp_diffsr.pgp_diffsr as editor
    model = build()
    lr, gt = _batch()
    draws = {}

    def noise_of(rank):
        monkeypatch.setattr(editor, 'get_rank', lambda: rank)
        model.num_train_steps.fill_(3)
        g = model._generator(torch.device('cpu'))
        return torch.randn(64, generator=g)

    r0, r1, r0_again = noise_of(0), noise_of(1), noise_of(0)
    assert torch.equal(r0, r0_again) and not torch.equal(r0, r1)
    # and through a whole training step: the same batch, a different loss per rank
    for rank in (0, 1, 0):
        monkeypatch.setattr(editor, 'get_rank', lambda: rank)
        model.num_train_steps.fill_(0)
        draws.setdefault(rank, []).append(model.forward_train(lr, gt)['loss_diffusion'].item())
    assert draws[0][0] == draws[0][1] != draws[1][0]


# ---- oracles written out from the definitions (diffusers' DDPM/DDIM formulas, torch ops) ----
EPS32 = torch.finfo(torch.float32).eps


def _alphas_cumprod_by_hand(n=1000, beta_start=1e-4, beta_end=0.02):
    """diffusers' 'scaled_linear' schedule (DDPMScheduler's default beta range), in
    float64: betas = linspace(sqrt(start), sqrt(end), n) ** 2, alpha_bar = cumprod(1 - b)."""
    betas = torch.linspace(beta_start ** 0.5, beta_end ** 0.5, n, dtype=torch.float64) ** 2
    return torch.cumprod(1 - betas, 0)


def _cond_by_hand(lr, scale=4, factor=2):
    """'torch_clamped' condition: torch bicubic x4 clamped to [-1, 1], pixel-unshuffled."""
    up = torch.nn.functional.interpolate(lr, scale_factor=scale, mode='bicubic',
                                         align_corners=False).clamp(-1, 1)
    return torch.nn.functional.pixel_unshuffle(up, factor)


def _perturbed(**over):
    model = build(**over).eval()
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():  # DiT's zero-initialised output layer: make the prediction non-zero
        for p in model.backbone.parameters():
            p.add_(0.02 * torch.randn(p.shape, generator=g))
    return model


def test_one_step_latent_is_x0_of_the_epsilon_at_t999_by_hand():
    """S1 mode: x_t := cond at t=999, x0 = (x_t - sqrt(1 - a_bar) eps) / sqrt(a_bar)."""
    model = _perturbed(test_cfg=dict(one_step=True))
    lr = _batch()[0]
    cond = _cond_by_hand(lr)
    t = torch.full((lr.shape[0],), 999, dtype=torch.long)
    with torch.no_grad():
        eps = model.backbone(cond, t, cond)
        got = model.sample_latent(lr)
    ab = _alphas_cumprod_by_hand()[999]
    want = (cond.double() - (1 - ab).sqrt() * eps.double()) / ab.sqrt()
    # float32 alpha_bar is a product of 1000 rounded factors: relative error <= 1000 eps
    tol = 1000 * EPS32 * float((cond.abs() + eps.abs()).max()) / float(ab.sqrt())
    torch.testing.assert_close(got.double(), want, rtol=0, atol=tol)


def test_an_untrained_residual_x0_model_returns_the_clamped_bicubic_upscale():
    """residual=True: the model predicts z0 - cond; a zero output layer predicting x0
    ('sample') gives z0 = cond, i.e. the bicubic upscale, for one step and for DDIM."""
    lr = torch.rand(2, 3, 4, 6, generator=torch.Generator().manual_seed(1)) * 2.4 - 1.2
    up = torch.nn.functional.interpolate(lr, scale_factor=4, mode='bicubic',
                                         align_corners=False).clamp(-1, 1)
    for one_step in (True, False):
        model = build(residual=True, scheduler=dict(prediction_type='sample'),
                      test_cfg=dict(one_step=one_step)).eval()
        assert not model.backbone.final_linear.weight.any()
        got = model.sample(lr)
        # DDIM from x0 = 0 each step: z = sqrt(a_prev) * 0 + sqrt(1 - a_prev) * 0 = 0
        torch.testing.assert_close(got, up, rtol=0, atol=4 * EPS32)


@pytest.mark.parametrize('strength', [0.25, 0.75])
def test_start_lr_runs_the_last_ddim_steps_from_the_noised_lr_latent(strength):
    """DDIM 'leading', 4 steps: [750, 500, 250, 0]; strength s skips round(4 (1 - s)) and
    starts from q(x_t0 | cond) = sqrt(a_bar) cond + sqrt(1 - a_bar) noise, noise drawn
    first from the seed's generator."""
    model = _perturbed(test_cfg=dict(start='lr', strength=strength, seed=5))
    lr = _batch()[0]
    calls = []
    model.backbone.register_forward_hook(lambda m, a, o: calls.append((a[0], a[1])))
    model.sample(lr, num_steps=4)
    skip = {0.25: 3, 0.75: 1}[strength]
    assert [int(t[0]) for _, t in calls] == [750, 500, 250, 0][skip:]
    cond = _cond_by_hand(lr)
    noise = torch.randn(cond.shape, generator=torch.Generator().manual_seed(5))
    ab = _alphas_cumprod_by_hand()[[750, 500, 250, 0][skip]]
    want = ab.sqrt() * cond.double() + (1 - ab).sqrt() * noise.double()
    tol = 1000 * EPS32 * float((cond.abs() + noise.abs()).max())
    torch.testing.assert_close(calls[0][0].double(), want, rtol=0, atol=tol)


def test_feature_distillation_is_the_normalised_mse_written_out():
    """loss_distill_feat = w * mean over blocks of mse(s, t) / mean(t^2); loss_distill_out
    = w_out * mse(student out, teacher out); blocks read with plain forward hooks."""
    model, teacher = build(), _perturbed()
    s_out, t_out = {}, {}
    for net, store in ((model, s_out), (teacher, t_out)):
        for name, (_, block) in net.backbone.blocks().items():
            block.register_forward_hook(lambda m, a, o, n=name, s=store: s.__setitem__(n, o))
        net.backbone.register_forward_hook(lambda m, a, o, s=store: s.__setitem__('out', o))
    model.set_teacher(teacher, output_weight=0.7, feature_weight=0.5)
    losses = model.forward_train(*_batch())
    names = [n for n in s_out if n != 'out']
    assert len(names) == 3
    terms = [((s_out[n].detach() - t_out[n]).double() ** 2).mean() / (t_out[n].double() ** 2).mean()
             for n in names]
    want_feat = 0.5 * sum(terms) / len(terms)
    want_out = 0.7 * ((s_out['out'].detach() - t_out['out']).double() ** 2).mean()
    # float32 means over n elements: relative error <= n eps
    n = max(t_out[k].numel() for k in t_out)
    assert abs(losses['loss_distill_feat'].item() - float(want_feat)) <= n * EPS32 * float(want_feat)
    assert abs(losses['loss_distill_out'].item() - float(want_out)) <= n * EPS32 * float(want_out)
