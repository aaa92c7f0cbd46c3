"""AdcSR: adversarial diffusion compression of a one-step diffusion SR model.

Reference: Chen et al., "Adversarial Diffusion Compression for Real-World Image
Super-Resolution" (CVPR 2025). Attributes: ``teacher`` (frozen one-step model),
``discriminator``; everything else (``generator``) is the student.

Stage 1 (``stage=1``) pretrains the student's pruned decoder on encoded GT: L1 +
perceptual (LPIPS, when its VGG16 weights are present) + patch-GAN. Stage 2 distils the
student's denoiser in the decoder's feature space: L1 to the teacher's clean latent and a
non-saturating GAN whose real samples are the encoded GT; the discriminator is the
teacher's denoiser with its input widened to the features.
"""
import math
from contextlib import nullcontext
from typing import Dict, List, Optional, Union

import torch
from mmagic.structures import DataSample
from mmengine.model import BaseModel, is_model_wrapper
from mmengine.optim import OptimWrapperDict

from pgpsr.models.data_preprocessors.default import build_data_preprocessor
from pgpsr.models.autoencoders.contract import VAECodec, check_codec
from pgpsr.registry import MODELS
from pgpsr.utils.pretrained import load_weights_file
from pgpsr.utils.wrappers import unwrap
from ...base_models.frozen_teacher import FrozenTeacherMixin, freeze
from ...base_models.sr_predict import SRPredictMixin
from .builders import (build_feature_discriminator, build_gt_vae, build_student,
                       check_teacher_backbone, load_stage1_decoder)

AUTOCAST_DTYPES = dict(fp16=torch.float16, bf16=torch.bfloat16)


def _check_autocast(name: Optional[str]) -> Optional[torch.dtype]:
    if name is not None and name not in AUTOCAST_DTYPES:
        raise ValueError(f'AdcSR.teacher_autocast must be None or one of '
                         f'{sorted(AUTOCAST_DTYPES)}, got {name!r}')
    return None if name is None else AUTOCAST_DTYPES[name]


def _load_prefixed(module, path: str, prefix: str, what: str) -> None:
    module.load_state_dict(load_weights_file(path, what, prefix, training_checkpoint=True),
                           strict=True)


def _wrapped(model) -> List[str]:
    return [n for n, m in model._modules.items() if is_model_wrapper(m)]


def _strip_wrapper_keys(model, state, prefix, local_metadata) -> None:
    """Checkpoints hold plain keys even when ``generator``/``discriminator`` sit in their
    own DDP wrappers (MMSeparateDistributedDataParallel), so a distributed run's
    checkpoint loads in a single process (test.py, infer.py) with no key left behind."""
    for name in _wrapped(model):
        inner = f'{prefix}{name}.module.'
        for key in [k for k in state if k.startswith(inner)]:
            state[f'{prefix}{name}.' + key[len(inner):]] = state.pop(key)


def _add_wrapper_keys(model, state, prefix, *args) -> None:
    """The inverse, when loading plain keys into wrapped submodules (resume under DDP)."""
    for name in _wrapped(model):
        outer, inner = f'{prefix}{name}.', f'{prefix}{name}.module.'
        for key in [k for k in state if k.startswith(outer) and not k.startswith(inner)]:
            state[inner + key[len(outer):]] = state.pop(key)


def _accept_generator_only(model, incompatible) -> None:
    """A deployment checkpoint (``strip_checkpoint.py --keep generator.``) holds the
    student alone: ``teacher`` (loaded from ``teacher_ckpt``) and ``discriminator``
    (training only) and ``gt_vae`` may be absent as a whole; a partly missing module is
    still an error."""
    own = model.state_dict(keep_vars=True)
    for name in ('teacher.', 'discriminator.', 'gt_vae.'):
        missing = [k for k in incompatible.missing_keys if k.startswith(name)]
        if missing and len(missing) == sum(k.startswith(name) for k in own):
            for key in missing:
                incompatible.missing_keys.remove(key)


@MODELS.register_module()
class AdcSR(FrozenTeacherMixin, SRPredictMixin, BaseModel):
    """AdcSR: a one-step teacher compressed into a student (pruned denoiser + half-width
    VAE decoder) by two-stage adversarial distillation in the decoder's feature space.

    Args:
        teacher: Config of a one-step model with an ``AutoencoderKLCodec``
            (a ``PGPDiffSR`` with ``test_cfg.one_step=True``).
        teacher_ckpt: Its trained checkpoint (local). Without it the teacher keeps its
            initialisation (tests only; a warning-free choice is a real checkpoint).
        stage: 1 (decoder pretraining), 2 (adversarial feature distillation) or None
            (inference only, e.g. the released student: no discriminator is built).
        unet_widths: Width keys of the teacher's backbone config and their ratio
            (default AdcSR's 0.75 of every channel: ``block_channels`` / ``norm_groups``
            for pgpsr's UNet, ``block_out_channels`` / ``norm_num_groups`` for a diffusers
            UNet, e.g. OSEDiff's).
        decoder_ratio: Channel ratio of the pruned VAE decoder (AdcSR: 0.5).
        unet_norm_groups: 'scaled' (the teacher's channels per group) or 'per_width' (the
            reference's ``halve_channels``: 32/24/16/... per GroupNorm width), which the
            released student was trained with.
        decoder_norm_groups: The pruned decoder's GroupNorm groups (None: scaled by
            ``decoder_ratio``; the reference's half decoder: 32).
        student_init: ``dict(pretrained=FOLDER, subfolder='unet')``: slice the student
            from this UNet instead of the teacher's (the reference: plain SD2.1-base).
        removed_blocks: The composed student's depth budget (PGP∘AdcSR): blocks of the
            teacher's denoiser (its block names, e.g. ``'bottleneck.0'``,
            ``'encoder.3.1'``) removed before slicing; refused, naming the block, when one
            changes the width or (diffusers UNets) diffusers could not express the rest.
        block_source: A block-removal checkpoint (a ``PGPDiffSR`` on the teacher's
            architecture pruned by ``ProgressivePruneHook``, ``configs/pgp_adcsr/``): the
            student is sliced from its fine-tuned backbone with the blocks it removed.
        feature_point: Stage 2's feature space: ``'conv_in'`` (after the decoder's
            conv_in, its mid block frozen) or ``'mid_block'`` (AdcSR's train.py: the
            student ends in a trainable copy of the decoder's mid block, the targets pass
            the frozen one).
        gt_vae: ``dict(pretrained=FOLDER, subfolder='vae')``: the VAE that encodes GT for
            stage 2's real features (the reference: the original SD VAE, posterior mean,
            its own post_quant_conv); None: the teacher's codec.
        decoder_ckpt: Stage 2's decoder, said explicitly: the stage-1 checkpoint it
            starts from, ``'from_checkpoint'`` (the model checkpoint loaded afterwards has
            it: test, infer, resume) or ``'sliced'`` (the teacher's decoder, sliced and
            untrained: tests). None is refused in stage 2: distilling in an untrained
            decoder's feature space is not AdcSR.
        discriminator: Stage 1: a config (default mmagic's ``PatchDiscriminator`` on
            images). Stage 2: ``dict(widths=...)`` for the denoiser-based one; on a
            diffusers teacher ``init=dict(pretrained=..., subfolder='unet')`` (its weights)
            and ``lora_rank`` (only LoRA + conv_in train), the reference's D.
        pixel_loss: Generator's L1 (stage 1: to the GT image; stage 2: to the teacher's
            latent in decoder-feature space), e.g. ``dict(type='L1Loss', loss_weight=1.0)``.
        gan_loss: Non-saturating GAN loss, ``dict(type='GANLoss', gan_type='vanilla',
            loss_weight=w)``; the weight applies to the generator's term only.
        perceptual_loss: Stage 1's ``LPIPSLoss`` (off, with a log line, without VGG16
            weights); None: off.
        teacher_autocast: Stage 2's teacher forward under autocast in this dtype:
            'fp16' (AdcSR's train.py runs its OSEDiff teacher under fp16 autocast, fp32
            weights), 'bf16', or None (fp32). Its input is the teacher's own
            ``condition_upscale`` (train.py: 'torch', unclamped).
        test_cfg: ``tile``, ``tile_overlap``, ``seed``, ``color_fix`` ('none', 'wavelet',
            'adain': OSEDiff's colour correction against the bicubic upscale, 'adain_lr':
            AdcSR's against the LR's own statistics; whole image), ``clamp_raw`` (clamp
            the decoder's output to [-1, 1] before the colour fix; AdcSR's test.py does
            not: its AdaIN sees the raw output, and only the result is clamped).
    """

    def __init__(self, teacher: Dict, teacher_ckpt: Optional[str] = None, stage: int = 2,
                 unet_widths: Optional[Dict[str, float]] = None, decoder_ratio: float = 0.5,
                 unet_norm_groups: str = 'scaled', decoder_norm_groups: Optional[int] = None,
                 student_init: Optional[Dict] = None, feature_point: str = 'conv_in',
                 removed_blocks: Optional[List[str]] = None,
                 block_source: Optional[str] = None, gt_vae: Optional[Dict] = None,
                 decoder_ckpt: Optional[str] = None, discriminator: Optional[Dict] = None,
                 pixel_loss: Optional[Dict] = None, gan_loss: Optional[Dict] = None,
                 perceptual_loss: Optional[Dict] = None, teacher_autocast: Optional[str] = None,
                 test_cfg: Optional[Dict] = None, data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(data_preprocessor=build_data_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        if stage not in (None, 1, 2):
            raise ValueError(f'AdcSR.stage must be 1, 2 or None (inference only), got '
                             f'{stage!r}')
        self.test_cfg = self.merge_test_cfg(test_cfg, own=dict(clamp_raw=True))
        self.stage = stage
        self.teacher_autocast = _check_autocast(teacher_autocast)
        self.teacher = MODELS.build(teacher)
        check_codec(self.teacher.codec, "AdcSR's teacher (its VAE decoder is pruned)",
                    VAECodec)
        check_teacher_backbone(self.teacher)
        if teacher_ckpt:
            _load_prefixed(self.teacher, teacher_ckpt, '', 'AdcSR.teacher_ckpt')
        freeze(self.teacher)
        self.scale = self.teacher.scale
        self.generator = build_student(self.teacher, teacher['backbone'], unet_widths,
                                       decoder_ratio, unet_norm_groups, decoder_norm_groups,
                                       student_init, feature_point, removed_blocks,
                                       block_source)
        load_stage1_decoder(self.generator, decoder_ckpt, stage)
        self.gt_vae = build_gt_vae(gt_vae)
        feat_ch = self.generator.decoder.conv_in.out_channels
        disc = dict(discriminator or {})
        if stage == 1:
            disc = disc or dict(type='PatchDiscriminator', in_channels=3, base_channels=64,
                                num_conv=3, norm_cfg=dict(type='BN'))
            self.discriminator = MODELS.build(disc)
            # mmagic 1.2's generation_init_weights raises UnboundLocalError on this module;
            # PyTorch's default initialisation is kept instead
            self.discriminator.is_init = True
            self.generator.unet.requires_grad_(False)
            if self.generator.body_mid is not None:  # stage 2's, not trained here
                self.generator.body_mid.requires_grad_(False)
        elif stage == 2:
            self.discriminator = build_feature_discriminator(
                self.teacher, teacher['backbone'], feat_ch, disc.get('widths'),
                disc.get('init'), disc.get('lora_rank'))
            self.generator.decoder.requires_grad_(False)
        else:
            self.discriminator = None
        self._register_state_dict_hook(_strip_wrapper_keys)
        self._register_load_state_dict_pre_hook(_add_wrapper_keys, with_module=True)
        self.register_load_state_dict_post_hook(_accept_generator_only)
        self.pixel_loss = MODELS.build(pixel_loss or dict(type='L1Loss', loss_weight=1.0))
        self.gan_loss = MODELS.build(gan_loss or dict(type='GANLoss', gan_type='vanilla',
                                                      loss_weight=0.1))
        self.perceptual_loss = MODELS.build(perceptual_loss) if (
            stage == 1 and perceptual_loss) else None

    def frozen_teachers(self) -> List[torch.nn.Module]:
        """The teacher and the VAE that encodes GT (frozen references, never trained)."""
        return [m for m in (self.teacher, self.gt_vae) if m is not None]

    def gt_features(self, gt: torch.Tensor, z_gt: torch.Tensor) -> torch.Tensor:
        """Stage 2's real samples: GT in the feature space, through ``gt_vae`` (posterior
        mean, its post_quant_conv) or else the teacher codec's latent ``z_gt``."""
        student = unwrap(self.generator)
        if self.gt_vae is None:
            return student.latent_features(z_gt)
        h = self.gt_vae.encode(gt.to(self.gt_vae.dtype)).latent_dist.mean
        return student.post_quant_features(self.gt_vae.post_quant_conv(h))

    def inference_module(self) -> torch.nn.Module:
        """What runs at test time (benchmark.py counts its parameters)."""
        return unwrap(self.generator)

    # ---- shapes ------------------------------------------------------------------------------
    @property
    def lr_size_divisor(self) -> int:
        student = unwrap(self.generator)
        return student.unshuffle.downscale_factor * student.unet.size_divisor \
            if hasattr(student.unshuffle, 'downscale_factor') else student.unet.size_divisor

    # ---- block removal on the student (PGP∘AdcSR, slicing first) ----------------------------
    @property
    def backbone(self) -> torch.nn.Module:
        """The student's denoiser: what ``ProgressivePruneHook`` scores (on ``sample``) and
        prunes when it runs on an AdcSR stage (blocks removed during stage 2)."""
        return unwrap(self.generator).unet

    @torch.no_grad()
    def denoiser_macs(self, lr_hw) -> int:
        """MACs of the student's denoiser for one LR of ``lr_hw`` (what pruning logs)."""
        from pgpsr.utils.op_counter import count_macs
        student, d = unwrap(self.generator), self.lr_size_divisor
        p = next(student.parameters())
        lr = torch.zeros(1, 3, *(-(-n // d) * d for n in lr_hw), device=p.device, dtype=p.dtype)
        return count_macs(lambda: student.unet(student.unshuffle(lr)))

    # ---- inference ---------------------------------------------------------------------------
    @torch.no_grad()
    def sample(self, lr: torch.Tensor, seed: Optional[int] = None,
               num_steps: Optional[int] = None) -> torch.Tensor:
        """LR in [-1, 1], any size -> SR in [-1, 1], exactly ``scale`` x (deterministic;
        one step: ``num_steps`` is accepted for the pruning scorers and ignored)."""
        h, w = lr.shape[-2:]
        out = self.generator(self.pad_lr(lr), mode='sr')[..., :h * self.scale, :w * self.scale]
        return out.float().clamp(-1, 1) if self.test_cfg['clamp_raw'] else out.float()

    # ---- training ----------------------------------------------------------------------------
    def teacher_latent(self, lr: torch.Tensor) -> torch.Tensor:
        """The teacher's one-step clean latent for LR ``lr`` (stage 2's target; the gap
        analysis decodes it), cropped to the LR's latent grid; float32 (an fp16 latent
        under ``teacher_autocast`` converts exactly)."""
        dtype = self.teacher_autocast
        with torch.autocast(lr.device.type, dtype=dtype) if dtype else nullcontext():
            z = self.teacher.sample_latent(lr, one_step=True)
        u = self.teacher.codec.factor // self.scale
        return z[..., :lr.shape[-2] // u, :lr.shape[-1] // u].float()

    def _d_loss(self, fake: torch.Tensor, real: torch.Tensor) -> Dict[str, torch.Tensor]:
        d_fake = self.discriminator(fake.detach()).float()
        d_real = self.discriminator(real.detach()).float()
        return dict(loss_d_fake=self.gan_loss(d_fake, False, is_disc=True),
                    loss_d_real=self.gan_loss(d_real, True, is_disc=True))

    def _g_gan(self, fake: torch.Tensor) -> torch.Tensor:
        """The generator's GAN term, D frozen (its own trainable set restored after)."""
        trainable = [p for p in unwrap(self.discriminator).parameters() if p.requires_grad]
        for p in trainable:
            p.requires_grad_(False)
        try:
            return self.gan_loss(self.discriminator(fake).float(), True)
        finally:
            for p in trainable:
                p.requires_grad_(True)

    def g_step_decoder(self, lr: torch.Tensor, gt: torch.Tensor, z_gt: torch.Tensor,
                       g_optim) -> tuple:
        """Stage 1's generator step: the pruned decoder reconstructs GT from its latent
        (L1 + perceptual + GAN on images). Returns ``(log, fake, real)``."""
        with g_optim.optim_context(self.generator):
            fake = self.generator(z_gt, mode='reconstruct')
            losses = dict(loss_l1=self.pixel_loss(fake.float(), gt.float()))
            if self.perceptual_loss is not None and self.perceptual_loss.available:
                losses['loss_perceptual'] = self.perceptual_loss(fake.float().clamp(-1, 1),
                                                                 gt.float())
            losses['loss_gan_g'] = self._g_gan(fake)
            loss, log = self.parse_losses(losses)
        g_optim.update_params(loss)
        return log, fake, gt

    def g_step_features(self, lr: torch.Tensor, gt: torch.Tensor, z_gt: torch.Tensor,
                        g_optim) -> tuple:
        """Stage 2's generator step in the decoder's feature space: L1 to the teacher's
        clean latent, GAN against encoded GT. Returns ``(log, fake, real)``."""
        with torch.no_grad():
            target = self.teacher_latent(lr)
        student = unwrap(self.generator)
        with g_optim.optim_context(self.generator):
            fake = self.generator(lr, mode='features')
            with torch.no_grad():
                feat_t = student.latent_features(target)
                real = self.gt_features(gt, z_gt)
            losses = dict(loss_l1=self.pixel_loss(fake.float(), feat_t.float()),
                          loss_gan_g=self._g_gan(fake))
            loss, log = self.parse_losses(losses)
        g_optim.update_params(loss)
        return log, fake, real

    def d_step(self, fake: torch.Tensor, real: torch.Tensor, d_optim) -> Dict:
        """The discriminator's step (either stage): fake detached, real as given."""
        with d_optim.optim_context(self.discriminator):
            loss, log = self.parse_losses(self._d_loss(fake, real))
        d_optim.update_params(loss)
        return log

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """The stage's generator step (``g_step_decoder`` / ``g_step_features``), then
        the discriminator's."""
        if self.stage is None:
            raise RuntimeError('AdcSR(stage=None) is inference only; train with stage=1 or 2')
        data = self.data_preprocessor(data, True)
        lr, gt = data['inputs'], data['data_samples'].gt_img
        if isinstance(lr, dict):
            lr = lr['img']
        self.check_training_pair(lr, gt)
        with torch.no_grad():
            z_gt = self.teacher.codec.encode(gt)
        g_step = self.g_step_decoder if self.stage == 1 else self.g_step_features
        g_log, fake, real = g_step(lr, gt, z_gt, optim_wrapper['generator'])
        d_log = self.d_step(fake, real, optim_wrapper['discriminator'])
        log = {k: v.detach() for k, v in {**d_log, **g_log}.items()}  # 'loss' = generator's
        for k, v in sorted(log.items(), key=lambda kv: kv[0] == 'loss'):  # terms first
            if not math.isfinite(float(v)):
                raise FloatingPointError(f'AdcSR stage {self.stage}: {k} is {float(v)}; '
                                         'lower the learning rates or enable grad clipping')
        return log

    # ---- mmengine interface --------------------------------------------------------------------
    def forward(self, inputs: Union[torch.Tensor, Dict], data_samples: Optional[DataSample] = None,
                mode: str = 'tensor') -> Union[torch.Tensor, List[DataSample]]:
        return self.forward_inference(inputs, data_samples, mode)  # training: train_step
