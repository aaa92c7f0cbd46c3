"""PGPDiffSR: latent diffusion SR conditioned on the LR image, with a prunable denoiser.

Reference: Yang et al., "PGP-DiffSR: Phase-Guided Progressive Pruning for Efficient
Diffusion-based Image Super-Resolution" (arXiv 2512.02681). Pruning and the
phase-exchange adapter (the ``neck``) plug in through the backbone contract.

Data flow: LR in [-1, 1] -> bicubic x``scale`` (``condition_upscale``) -> ``codec.encode``
(the condition) -> denoiser(x_t, t, cond) -> diffusers scheduler steps (or one step) -> ``codec.decode``.
"""
import math
from contextlib import nullcontext
from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from torch import nn
from mmagic.structures import DataSample
from mmengine.dist import get_rank
from mmengine.model import BaseModel

from pgpsr.models.autoencoders.contract import check_codec
from pgpsr.models.backbones.contract import check_backbone
from pgpsr.models.data_preprocessors.default import build_data_preprocessor
from pgpsr.models.necks.contract import acts_in_backbone
from pgpsr.registry import MODELS
from pgpsr.utils.pretrained import load_weights_file
from ...condition_upscale import check_condition_upscale, upscale_condition
from ...base_models.frozen_teacher import FrozenTeacherMixin, freeze
from ...base_models.sr_predict import SRPredictMixin, merge_config
from ...diffusion_utils import (build_scheduler, predict_x0, step_accepts_generator,
                                training_target)

DEFAULT_TRAIN_CFG = dict(one_step=False, one_step_timestep=999, seed=0)
OWN_TEST_CFG = dict(num_steps=20, start='noise', strength=1.0, one_step=False,
                    one_step_timestep=999)  # + SRPredictMixin's shared keys


def check_latent_channels(backbone, codec) -> None:
    """PGPDiffSR feeds the backbone x_t and the condition (each a codec latent; the
    condition concatenated unless ``cond_channels`` is 0) and trains its output against a
    latent: a mismatch would otherwise surface as a shape error in the first forward."""
    c, name = codec.latent_channels, type(backbone).__name__
    latent = f'the latent channels of the codec (model.codec, {type(codec).__name__}): {c}'
    for key, got, ok in (('in_channels', backbone.in_channels, (c,)),
                         ('cond_channels', backbone.cond_channels, (0, c)),
                         ('out_channels', backbone.out_channels, (c,))):
        if got not in ok:
            raise ValueError(f'PGPDiffSR: model.backbone.{key} ({name}) is {got}, but must '
                             f'be {" or ".join(map(str, ok))}: {latent}')


@MODELS.register_module()
class PGPDiffSR(FrozenTeacherMixin, SRPredictMixin, BaseModel):
    """Diffusion SR model with ``loss`` / ``predict`` / ``tensor`` modes.

    Args:
        backbone: Denoiser config (a :class:`PrunableBackbone`).
        codec: Latent codec config (``encode``/``decode``, ``factor``, ``latent_channels``).
        scheduler: Training scheduler (diffusers), e.g.
            ``dict(type='DDPMScheduler', num_train_timesteps=1000, prediction_type='epsilon')``.
        sample_scheduler: Sampling scheduler; inherits betas/prediction type from
            ``scheduler`` (default ``DDIMScheduler``).
        neck: Optional adapter: ``neck(pred, cond)`` on the output, or, when it has
            ``run``, inside the backbone (the PhaseExchangeAdapter's decoder sites).
        scale: Upscaling factor.
        diffusion_loss: The latent diffusion loss ``loss_diffusion`` (default
            ``dict(type='MSELoss', loss_weight=1.0)``), on the scheduler's target (x0 in
            one-step mode).
        pixel_loss: Optional loss on the decoded x0 vs the GT image (``loss_pixel``),
            e.g. ``dict(type='L1Loss', loss_weight=1.0)``; None: off.
        residual: Diffuse the *residual* over the LR condition latent (z0 - cond) instead
            of z0, and add the condition back after sampling (ResShift-style). With a
            zero-initialised output layer an untrained model then returns the bicubic
            upsampling, and small models cannot drift in colour.
        condition_upscale: How the LR is upscaled before the codec encodes it:
            'torch_clamped' (torch bicubic clamped to [-1, 1]), 'torch' (unclamped, AdcSR's
            train.py for its teacher) or 'pil' (Pillow's bicubic on the 8-bit LR,
            OSEDiff's test_osediff.py); see ``pgpsr/models/condition_upscale.py``.
        backbone_pretrained: Local ``.safetensors``/``.pth`` weights for the backbone.
        train_cfg: ``one_step`` (train the S1 mode), ``one_step_timestep``, ``seed``.
        test_cfg: ``num_steps``, ``start`` ('noise' | 'lr'), ``strength`` (for 'lr'),
            ``one_step``, ``one_step_timestep``, ``seed``, ``tile`` / ``tile_overlap``
            (LR pixels: images bigger than ``tile`` are processed in blended tiles, results
            kept on the CPU; DiTs generalise poorly to grids far larger than they trained
            on, so their configs tile at the training size), ``color_fix``.
    """

    def __init__(self, backbone: Dict, codec: Dict,
                 scheduler: Optional[Dict] = None, sample_scheduler: Optional[Dict] = None,
                 neck: Optional[Dict] = None, scale: int = 4,
                 diffusion_loss: Optional[Dict] = None, pixel_loss: Optional[Dict] = None,
                 residual: bool = False, condition_upscale: str = 'torch_clamped',
                 backbone_pretrained: Optional[str] = None,
                 train_cfg: Optional[Dict] = None, test_cfg: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        # images reach the codec in [-1, 1]
        super().__init__(data_preprocessor=build_data_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        self.codec = MODELS.build(codec)
        self.backbone = MODELS.build(backbone)
        check_backbone(self.backbone, 'PGPDiffSR')
        check_codec(self.codec, 'PGPDiffSR')
        check_latent_channels(self.backbone, self.codec)
        if backbone_pretrained:
            self.backbone.load_state_dict(load_weights_file(backbone_pretrained), strict=True)
        self.neck = MODELS.build(neck) if neck else None
        self.neck_in_backbone = self.neck is not None and acts_in_backbone(self.neck,
                                                                             'PGPDiffSR')
        if self.neck_in_backbone:
            self.neck.attach(self.backbone)
        scheduler = scheduler or dict(type='DDPMScheduler', num_train_timesteps=1000)
        self.scheduler = build_scheduler(scheduler)
        self.sample_scheduler = build_scheduler(
            sample_scheduler or dict(type='DDIMScheduler'), self.scheduler.config)
        self.scale = scale
        self.diffusion_loss = MODELS.build(diffusion_loss or dict(type='MSELoss',
                                                                  loss_weight=1.0))
        self.pixel_loss = MODELS.build(pixel_loss) if pixel_loss else None
        self.residual = residual
        self.condition_upscale = check_condition_upscale(condition_upscale)
        self.train_cfg = merge_config(DEFAULT_TRAIN_CFG, train_cfg, 'PGPDiffSR.train_cfg')
        self.test_cfg = self.merge_test_cfg(test_cfg, OWN_TEST_CFG)
        if self.test_cfg['start'] not in ('noise', 'lr'):
            raise ValueError("PGPDiffSR.test_cfg.start must be 'noise' or 'lr', got "
                             f"{self.test_cfg['start']!r}")
        self.register_buffer('num_train_steps', torch.zeros((), dtype=torch.long))

    # ---- shapes -------------------------------------------------------------------------------
    @property
    def lr_size_divisor(self) -> int:
        """LR sides are padded to a multiple of this inside the model."""
        hr_div = self.codec.factor * self.backbone.size_divisor
        return hr_div // math.gcd(hr_div, self.scale)

    def encode_condition(self, lr: torch.Tensor) -> torch.Tensor:
        """LR in [-1, 1] (padded) -> condition latent at the HR latent resolution."""
        return self.codec.encode(upscale_condition(lr, self.scale, self.condition_upscale))

    def denoise(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        if self.neck is None:
            return self.backbone(x_t, t, cond)
        if self.neck_in_backbone:  # the adapter: acts inside the backbone's forward
            return self.neck.run(self.backbone, x_t, t, cond)
        return self.neck(self.backbone(x_t, t, cond), cond)

    # ---- distillation from a frozen teacher (set by ProgressivePruneHook) -------------------
    def set_teacher(self, teacher: Optional[nn.Module], output_weight: float = 1.0,
                    feature_weight: float = 0.0) -> None:
        """Distil from ``teacher`` (a frozen copy of the unpruned model) while training.

        Adds ``loss_distill_out`` (MSE to the teacher's prediction) and, with
        ``feature_weight``, ``loss_distill_feat``: per surviving block, the MSE to the
        teacher's block output divided by that output's mean square, so a few large
        features do not dominate (LAPTOP-Diff's normalised feature distillation). The
        teacher is kept outside the module tree: not in state dicts, optimizers or DDP.
        """
        self.__dict__['_teacher'] = None if teacher is None else freeze(teacher)
        self.__dict__['_distill_weights'] = (float(output_weight), float(feature_weight))

    def frozen_teachers(self) -> List[nn.Module]:
        teacher = self.__dict__.get('_teacher')
        return [] if teacher is None else [teacher]

    def _denoise_train(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor,
                       losses: Dict[str, torch.Tensor]) -> torch.Tensor:
        teacher = self.__dict__.get('_teacher')
        if teacher is None:
            return self.denoise(x_t, t, cond)
        w_out, w_feat = self.__dict__['_distill_weights']
        s_feats, t_feats = {}, {}
        with self.backbone.record_blocks(s_feats, detach=False) if w_feat else nullcontext():
            pred = self.denoise(x_t, t, cond)
        t_dtype = next(teacher.parameters()).dtype  # a bf16 teacher runs under autocast
        with torch.no_grad(), (teacher.backbone.record_blocks(t_feats) if w_feat
                               else nullcontext()), \
                torch.autocast(x_t.device.type, t_dtype, enabled=t_dtype != x_t.dtype):
            t_pred = teacher.denoise(x_t, t, cond)
        losses['loss_distill_out'] = w_out * F.mse_loss(pred.float(), t_pred.float())
        if w_feat:
            terms = [F.mse_loss(s_feats[n][0][1].float(), t_feats[n][0][1].float()) /
                     t_feats[n][0][1].float().pow(2).mean().clamp_min(1e-8)
                     for n in s_feats if n in t_feats]
            losses['loss_distill_feat'] = w_feat * torch.stack(terms).mean() if terms else \
                pred.sum() * 0
        return pred

    # ---- randomness: a function of (seed, rank, step), so resume is exact ---------------------
    def _generator(self, device: torch.device) -> torch.Generator:
        """Generator for this training step's timesteps and noise.

        Seeded from ``train_cfg.seed``, the rank and ``num_train_steps`` (a buffer saved
        in checkpoints), so a resumed run draws exactly what an uninterrupted one would.
        """
        step = int(self.num_train_steps)
        self.num_train_steps += 1
        seed = (self.train_cfg['seed'] * 1_000_003 + get_rank()) * 1_000_033 + step
        return torch.Generator(device=device).manual_seed(seed % (2 ** 63))

    # ---- training ------------------------------------------------------------------------------
    def forward_train(self, lr: torch.Tensor, gt: torch.Tensor) -> Dict[str, torch.Tensor]:
        self.check_training_pair(lr, gt)
        with torch.no_grad():
            z0 = self.codec.encode(gt)
            cond = self.encode_condition(lr)
            if self.residual:
                z0 = z0 - cond
        b = z0.shape[0]
        g = self._generator(z0.device)
        losses = {}
        if self.train_cfg['one_step']:
            t = torch.full((b,), self.train_cfg['one_step_timestep'], device=z0.device,
                           dtype=torch.long)
            x0 = predict_x0(self.scheduler, self._denoise_train(cond, t, cond, losses), cond, t)
            losses['loss_diffusion'] = self.diffusion_loss(x0.float(), z0.float())
        else:
            t = torch.randint(0, self.scheduler.config.num_train_timesteps, (b,),
                              device=z0.device, generator=g)
            noise = torch.randn(z0.shape, device=z0.device, generator=g, dtype=z0.dtype)
            x_t = self.scheduler.add_noise(z0, noise, t)
            pred = self._denoise_train(x_t, t, cond, losses)
            target = training_target(self.scheduler, z0, noise, t)
            losses['loss_diffusion'] = self.diffusion_loss(pred.float(), target.float())
            x0 = predict_x0(self.scheduler, pred, x_t, t) if self.pixel_loss else None
        if self.pixel_loss is not None:
            img = self.codec.decode(x0 + cond if self.residual else x0)
            losses['loss_pixel'] = self.pixel_loss(img.float(), gt.float())
        return losses

    # ---- sampling ------------------------------------------------------------------------------
    @property
    def deterministic_sampling(self) -> bool:
        return bool(self.test_cfg['one_step'])  # multi-step sampling draws seeded noise

    @torch.no_grad()
    def sample(self, lr: torch.Tensor, num_steps: Optional[int] = None,
               seed: Optional[int] = None, one_step: Optional[bool] = None) -> torch.Tensor:
        """LR batch in [-1, 1] (any size) -> SR batch in [-1, 1], exactly ``scale`` x larger."""
        h, w = lr.shape[-2:]
        z = self.sample_latent(lr, num_steps, seed, one_step)
        out = self.codec.decode(z)
        return out[..., :h * self.scale, :w * self.scale].clamp(-1, 1)

    @torch.no_grad()
    def sample_latent(self, lr: torch.Tensor, num_steps: Optional[int] = None,
                      seed: Optional[int] = None, one_step: Optional[bool] = None
                      ) -> torch.Tensor:
        """The clean latent (scaled, of the padded LR) that :meth:`sample` decodes; AdcSR
        distils its student towards it."""
        cfg = self.test_cfg
        num_steps = num_steps or cfg['num_steps']
        one_step = cfg['one_step'] if one_step is None else one_step
        seed = cfg['seed'] if seed is None else seed
        cond = self.encode_condition(self.pad_lr(lr))
        if one_step:  # deterministic: no generator (also lets it run on the meta device)
            t = torch.full((cond.shape[0],), cfg['one_step_timestep'], device=cond.device,
                           dtype=torch.long)
            z = predict_x0(self.scheduler, self.denoise(cond, t, cond), cond, t)
        else:
            g = torch.Generator(device=cond.device).manual_seed(seed)
            z = self._sample_multistep(cond, num_steps, g)
        if self.residual:
            z = z + cond
        return z.to(cond.dtype)

    def _sample_multistep(self, cond: torch.Tensor, num_steps: int,
                          g: torch.Generator) -> torch.Tensor:
        sched = self.sample_scheduler
        sched.set_timesteps(num_steps, device=cond.device)
        timesteps = sched.timesteps
        noise = torch.randn(cond.shape, device=cond.device, generator=g, dtype=cond.dtype)
        if self.test_cfg['start'] == 'lr':
            skip = int(round(num_steps * (1 - float(self.test_cfg['strength']))))
            timesteps = timesteps[skip:]
            if hasattr(sched, 'set_begin_index'):
                sched.set_begin_index(skip)
            clean = torch.zeros_like(cond) if self.residual else cond  # residual of the LR: 0
            z = sched.add_noise(clean, noise, timesteps[:1].repeat(cond.shape[0]))
        else:
            z = noise * sched.init_noise_sigma
        extra = dict(generator=g) if step_accepts_generator(sched) else {}
        for t in timesteps:
            z_in = sched.scale_model_input(z, t)
            pred = self.denoise(z_in, t.expand(z.shape[0]).to(z.device), cond)
            z = sched.step(pred, t, z, **extra).prev_sample
        return z

    # ---- mmengine interface ---------------------------------------------------------------------
    def forward(self, inputs: Union[torch.Tensor, Dict], data_samples: Optional[DataSample] = None,
                mode: str = 'tensor') -> Union[torch.Tensor, Dict, List[DataSample]]:
        if mode == 'loss':
            return self.forward_train(inputs['img'] if isinstance(inputs, dict) else inputs,
                                      data_samples.gt_img)
        return self.forward_inference(inputs, data_samples, mode)
