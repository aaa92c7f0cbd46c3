"""Building AdcSR's student and discriminators from its teacher, by channel slicing.

Two teacher families: a ``PGPDiffSR`` on pgpsr's own ``UNetDenoiser`` (trained from
scratch; the width keys scale its config) and one on a ``DiffusersUNetDenoiser`` (OSEDiff:
SD2.1's UNet; see :mod:`.unet_student`)."""
import copy
from typing import Dict, Optional

from diffusers.models.autoencoders.vae import Decoder
from torch import nn

from pgpsr.models.backbones import DiffusersUNetDenoiser, UNetDenoiser
from pgpsr.pruning.channel_slicing import scale_widths, slice_weights
from pgpsr.registry import MODELS
from ...base_models.frozen_teacher import freeze
from .student import AdcSRStudent
from .student_depth import depth_source
from .unet_student import build_unet_discriminator, build_unet_student_denoiser

OWN_UNET_WIDTHS = dict(block_channels=0.75, norm_groups=0.75)


def check_teacher_backbone(teacher) -> None:
    """Refuse, at build, a teacher backbone the student cannot be sliced from: the
    builders replace its ``conv_in`` and ``conv_out`` and drop its time path
    (``time_embedding=False``), which only the two UNet families offer."""
    if not isinstance(teacher.backbone, (UNetDenoiser, DiffusersUNetDenoiser)):
        raise TypeError(f'AdcSR: the teacher backbone {type(teacher.backbone).__name__} '
                        'cannot give the student and discriminator: they are sliced from a '
                        'UNet with conv_in, conv_out and a time_embedding that can be '
                        'removed (UNetDenoiser, or DiffusersUNetDenoiser)')


def _is_diffusers(teacher) -> bool:
    return isinstance(teacher.backbone, DiffusersUNetDenoiser)


def _config(cfg: Dict) -> Dict:
    """A backbone config as constructor kwargs (a deep copy without ``type``)."""
    cfg = copy.deepcopy(dict(cfg))
    cfg.pop('type', None)
    return cfg


def build_pruned_decoder(vae, ratio: float, norm_groups: Optional[int] = None) -> Decoder:
    """The VAE decoder at ``ratio`` of its channels, sliced from ``vae``'s; its GroupNorm
    groups scaled by ``ratio`` too, or ``norm_groups`` (the reference's half decoder: 32)."""
    c = vae.config
    widths = scale_widths(dict(block_out_channels=list(c.block_out_channels),
                               norm_num_groups=c.norm_num_groups),
                          dict(block_out_channels=ratio, norm_num_groups=ratio))
    if norm_groups is not None:
        widths['norm_num_groups'] = int(norm_groups)
    dec = Decoder(in_channels=c.latent_channels, out_channels=c.out_channels,
                  up_block_types=tuple(c.up_block_types),
                  block_out_channels=tuple(widths['block_out_channels']),
                  layers_per_block=c.layers_per_block, act_fn=c.act_fn,
                  norm_num_groups=widths['norm_num_groups'],
                  mid_block_add_attention=getattr(c, 'mid_block_add_attention', True))
    left = slice_weights(dec, vae.decoder)
    if left:
        raise RuntimeError(f'pruned decoder: tensors not initialised from the teacher: {left}')
    return dec


def build_student(teacher, backbone_cfg: Dict, widths: Optional[Dict[str, float]],
                  decoder_ratio: float, unet_norm_groups: str = 'scaled',
                  decoder_norm_groups: Optional[int] = None,
                  student_init: Optional[Dict] = None,
                  feature_point: str = 'conv_in', removed_blocks=None,
                  block_source: Optional[str] = None) -> AdcSRStudent:
    """Student from a one-step teacher (a PGPDiffSR with an AutoencoderKL codec);
    ``widths``: the backbone's width keys and ratios (None: AdcSR's 75%); the norm-group
    choices and the depth budget (``removed_blocks`` / ``block_source``, see
    :mod:`.student_depth`) as in :class:`AdcSR`."""
    vae = teacher.codec.vae
    decoder = build_pruned_decoder(vae, decoder_ratio, decoder_norm_groups)
    feat_ch = decoder.conv_in.out_channels
    unshuffle = teacher.codec.factor // teacher.scale
    if unshuffle * teacher.scale != teacher.codec.factor:
        raise ValueError(f'AdcSR: codec factor {teacher.codec.factor} is not a multiple of '
                         f'the scale {teacher.scale}')
    source = depth_source(teacher, removed_blocks, block_source)
    if source is not None and student_init:
        raise ValueError('AdcSR: student_init (a same-shape UNet to slice from) and a depth '
                         'budget (removed_blocks / block_source) exclude each other')
    if _is_diffusers(teacher):
        unet = build_unet_student_denoiser(teacher, widths, 3 * unshuffle ** 2, feat_ch,
                                           unet_norm_groups, student_init, source)
    else:
        if unet_norm_groups != 'scaled' or student_init:
            raise ValueError("AdcSR.unet_norm_groups='per_width' and student_init are for "
                             'diffusers UNet teachers (the reference student)')
        cfg = scale_widths(_config(backbone_cfg), widths or OWN_UNET_WIDTHS)
        cfg.update(type=backbone_cfg['type'], in_channels=3 * unshuffle ** 2, cond_channels=0,
                   out_channels=feat_ch, time_embedding=False)
        unet = MODELS.build(cfg)
        source = source or teacher.backbone
        for name in source.dropped:
            unet.drop_block(name)
        # conv_in (new input) and conv_out (new output width) are new layers, as in the paper
        slice_weights(unet, source, skip=('conv_in', 'conv_out'))
    pqc = copy.deepcopy(vae.post_quant_conv).requires_grad_(False)
    return AdcSRStudent(unet, decoder, pqc, unshuffle, teacher.codec.scaling_factor,
                        feature_point)


def build_feature_discriminator(teacher, backbone_cfg: Dict, in_channels: int,
                                widths: Optional[Dict[str, float]],
                                init: Optional[Dict] = None,
                                lora_rank: Optional[int] = None) -> nn.Module:
    """The teacher's denoiser, input widened to the feature channels; fully fine-tuned
    (initialised from the teacher). On a diffusers teacher see :mod:`.unet_student`.
    On pgpsr's UNet: one logit per position, no time embedding, ``widths`` optional.

    Its logit head gets PyTorch's default (non-zero) initialisation: the denoiser's own
    output layer starts at zero, which would give the generator exactly no adversarial
    gradient until the discriminator had moved it."""
    if _is_diffusers(teacher):
        if widths:
            raise ValueError('AdcSR: the discriminator of a diffusers teacher is its full '
                             'UNet; discriminator.widths is for pgpsr UNet teachers')
        return build_unet_discriminator(teacher, in_channels, init, lora_rank)
    if init or lora_rank:
        raise ValueError('AdcSR: discriminator.init / lora_rank are for diffusers UNet '
                         'teachers (the reference discriminator)')
    cfg = scale_widths(_config(backbone_cfg), widths) if widths else \
        _config(backbone_cfg)
    cfg.update(type=backbone_cfg['type'], in_channels=in_channels, cond_channels=0,
               out_channels=1, time_embedding=False, grad_checkpointing=False)
    disc = MODELS.build(cfg)
    slice_weights(disc, teacher.backbone, skip=('conv_in', 'conv_out'))
    disc.conv_out.reset_parameters()
    return disc


def build_gt_vae(cfg: Optional[Dict]) -> Optional[nn.Module]:
    """The frozen VAE that encodes GT for stage 2 (``AdcSR.gt_vae``), or None."""
    if not cfg:
        return None
    from diffusers import AutoencoderKL
    from mmengine.logging import print_log

    from pgpsr.models.pretrained.diffusers_loading import build_diffusers_model
    vae = build_diffusers_model(AutoencoderKL, 'AdcSR.gt_vae', **cfg)
    print_log(f"AdcSR: GT features from the VAE of {cfg.get('pretrained')}", logger='current')
    return freeze(vae)


def load_stage1_decoder(student: AdcSRStudent, decoder_ckpt: Optional[str],
                        stage: Optional[int]) -> None:
    """Stage 2 never starts silently from an untrained decoder: ``decoder_ckpt`` is the
    stage-1 checkpoint, ``'from_checkpoint'`` or ``'sliced'``; the log says which."""
    from mmengine.logging import print_log

    from pgpsr.utils.pretrained import load_weights_file
    if decoder_ckpt in (None, 'sliced', 'from_checkpoint'):
        if decoder_ckpt is None and stage == 2:
            raise ValueError(
                "AdcSR stage 2 distils in the stage-1 decoder's feature space: set "
                "model.decoder_ckpt to the stage-1 checkpoint, to 'from_checkpoint' (the "
                "checkpoint you load has the decoder) or to 'sliced' (the teacher's "
                'decoder sliced, untrained: tests only)')
        where = dict(sliced='sliced from the teacher, untrained',
                     from_checkpoint='from the model checkpoint loaded next')
        print_log(f'AdcSR decoder: {where.get(decoder_ckpt, "sliced from the teacher")}',
                  logger='current')
        return
    student.decoder.load_state_dict(load_weights_file(
        decoder_ckpt, 'AdcSR.decoder_ckpt', 'generator.decoder.', training_checkpoint=True),
        strict=True)
    if student.body_mid is not None:  # the reference's trainable copy of it
        student.body_mid.load_state_dict(student.decoder.mid_block.state_dict())
    print_log(f'AdcSR decoder: generator.decoder of {decoder_ckpt}', logger='current')
