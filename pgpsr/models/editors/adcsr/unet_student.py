"""AdcSR's student denoiser and discriminator from a diffusers one-step teacher (OSEDiff's
SD2.1 UNet), as the reference code builds them.

Student: the teacher's UNet with its constant t=999 folded into the ResNet biases (exact;
the reference drops the time path instead), cross-attention removed, every width at 75%
(:func:`narrow_unet`), ``conv_in`` reading the pixel-unshuffled LR and ``conv_out``
giving the pruned decoder's feature channels. Discriminator: a full copy of the teacher's
denoiser (time embedding, prompt and all) at t=999 whose ``conv_in`` reads those features
(the teacher's weights tiled and averaged over the copies); its pretrained ``conv_out``
gives the logits (4 per position), so the generator gets an adversarial gradient from
step 1. The reference tunes the discriminator with LoRA; here it is fully trainable.
"""
import copy
from typing import Dict, Optional

import torch
from torch import nn

from pgpsr.models.pretrained.diffusers_loading import build_diffusers_model
from .lora_discriminator import add_lora
from .unet_narrowing import narrow_unet, per_width_groups, tile_conv
from .unet_surgery import fold_timestep, remove_cross_attention

DEFAULT_WIDTHS = dict(block_out_channels=0.75, norm_num_groups=0.75)


def _timestep(teacher) -> int:
    return int(teacher.test_cfg.get('one_step_timestep', 999))


class UNetFeatures(nn.Module):
    """The student's UNet as ``forward(x) -> features``: no timestep, no prompt."""

    def __init__(self, unet: nn.Module, grad_checkpointing: bool = False) -> None:
        super().__init__()
        self.unet = unet
        self.size_divisor = 2 ** unet.num_upsamplers
        if grad_checkpointing:
            unet.enable_gradient_checkpointing()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = torch.zeros((), device=x.device)  # unused: the time path is folded away
        return self.unet(x, t, encoder_hidden_states=None).sample


class UNetFeatureDiscriminator(nn.Module):
    """The teacher's denoiser reading decoder features at the teacher's timestep."""

    def __init__(self, denoiser: nn.Module, timestep: int) -> None:
        super().__init__()
        self.denoiser, self.timestep = denoiser, timestep

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        t = torch.full((feats.shape[0],), self.timestep, device=feats.device)
        return self.denoiser(feats, t)


def build_unet_student_denoiser(teacher, widths, in_channels: int, out_channels: int,
                                norm_groups: str = 'scaled',
                                init: Optional[Dict] = None,
                                source: Optional[nn.Module] = None) -> UNetFeatures:
    """The 75%-width, time- and text-free UNet sliced from ``teacher.backbone.unet``, or
    from the UNet of ``init`` (``dict(pretrained=FOLDER, subfolder='unet')``: the
    reference slices plain SD2.1-base, not OSEDiff); ``norm_groups``: 'scaled' (the
    teacher's channels per group) or 'per_width' (the reference's choice per width);
    ``source``: a copy of the teacher's ``DiffusersUNetDenoiser`` with blocks removed (the
    composed student's depth budget), exported to the diffusers UNet it equals first."""
    if norm_groups not in ('scaled', 'per_width'):
        raise ValueError(f"AdcSR.unet_norm_groups must be 'scaled' or 'per_width', got "
                         f'{norm_groups!r}')
    if init:
        from diffusers import UNet2DConditionModel
        wide = build_diffusers_model(UNet2DConditionModel, 'AdcSR.student_init', **init)
        shapes = lambda m: {k: v.shape for k, v in m.state_dict().items()}  # noqa: E731
        if shapes(wide) != shapes(teacher.backbone.unet):
            raise ValueError('AdcSR.student_init: its UNet has another architecture than '
                             "the teacher's (the student is sliced from a same-shape UNet)")
    elif source is not None:
        from pgpsr.models.backbones.diffusers_export import to_diffusers
        wide = to_diffusers(source)
    else:
        wide = copy.deepcopy(teacher.backbone.unet)
    fold_timestep(wide, _timestep(teacher))
    remove_cross_attention(wide)
    narrow = narrow_unet(wide, widths or DEFAULT_WIDTHS, in_channels, out_channels)
    if norm_groups == 'per_width':
        per_width_groups(narrow)
    return UNetFeatures(narrow, teacher.backbone.grad_checkpointing)


def build_unet_discriminator(teacher, in_channels: int, init: Optional[Dict] = None,
                             lora_rank: Optional[int] = None) -> UNetFeatureDiscriminator:
    """A trainable copy of the teacher's denoiser with ``conv_in`` reading the features;
    its weights from the UNet of ``init`` (the reference: plain SD2.1-base) when given,
    and with ``lora_rank``, only LoRA + conv_in trained (the reference's rank 4)."""
    denoiser = copy.deepcopy(teacher.backbone).requires_grad_(True)
    unet = denoiser.unet
    if init:
        from diffusers import UNet2DConditionModel
        source = build_diffusers_model(UNet2DConditionModel, 'AdcSR.discriminator.init',
                                       **init)
        unet.load_state_dict(source.state_dict(), strict=True)
    unet.conv_in = tile_conv(unet.conv_in, in_channels, unet.conv_in.out_channels,
                             average_tiles=True)
    unet.register_to_config(in_channels=in_channels)
    if lora_rank:
        add_lora(unet, lora_rank)
    denoiser.cond_channels = 0  # it reads the features alone, whatever the teacher's mode
    return UNetFeatureDiscriminator(denoiser, _timestep(teacher))
