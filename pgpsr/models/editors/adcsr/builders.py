"""Building AdcSR's student and discriminators from its teacher, by channel slicing."""
import copy
from typing import Dict

from diffusers.models.autoencoders.vae import Decoder
from torch import nn

from pgpsr.pruning.channel_slicing import scale_widths, slice_weights
from pgpsr.registry import MODELS
from .student import AdcSRStudent


def _config(cfg: Dict) -> Dict:
    """A backbone config as constructor kwargs (a deep copy without ``type``)."""
    cfg = copy.deepcopy(dict(cfg))
    cfg.pop('type', None)
    return cfg


def build_pruned_decoder(vae, ratio: float) -> Decoder:
    """The VAE decoder at ``ratio`` of its channels (and groups), sliced from ``vae``'s."""
    c = vae.config
    widths = scale_widths(dict(block_out_channels=list(c.block_out_channels),
                               norm_num_groups=c.norm_num_groups),
                          dict(block_out_channels=ratio, norm_num_groups=ratio))
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


def build_student(teacher, backbone_cfg: Dict, widths: Dict[str, float],
                  decoder_ratio: float) -> AdcSRStudent:
    """Student from a one-step teacher (a PGPDiffSR with an AutoencoderKL codec)."""
    vae = teacher.codec.vae
    decoder = build_pruned_decoder(vae, decoder_ratio)
    feat_ch = decoder.conv_in.out_channels
    unshuffle = teacher.codec.factor // teacher.scale
    if unshuffle * teacher.scale != teacher.codec.factor:
        raise ValueError(f'AdcSR: codec factor {teacher.codec.factor} is not a multiple of '
                         f'the scale {teacher.scale}')
    cfg = scale_widths(_config(backbone_cfg), widths)
    cfg.update(type=backbone_cfg['type'], in_channels=3 * unshuffle ** 2, cond_channels=0,
               out_channels=feat_ch, time_embedding=False)
    unet = MODELS.build(cfg)
    # conv_in (new input) and conv_out (new output width) are new layers, as in the paper
    slice_weights(unet, teacher.backbone, skip=('conv_in', 'conv_out'))
    pqc = copy.deepcopy(vae.post_quant_conv).requires_grad_(False)
    return AdcSRStudent(unet, decoder, pqc, unshuffle, teacher.codec.scaling_factor)


def build_feature_discriminator(teacher, backbone_cfg: Dict, in_channels: int,
                                widths: Dict[str, float]) -> nn.Module:
    """The teacher's denoiser, input widened to the feature channels, one logit per
    position, no time embedding; fully fine-tuned (initialised from the teacher).

    Its logit head gets PyTorch's default (non-zero) initialisation: the denoiser's own
    output layer starts at zero, which would give the generator exactly no adversarial
    gradient until the discriminator had moved it."""
    cfg = scale_widths(_config(backbone_cfg), widths) if widths else \
        _config(backbone_cfg)
    cfg.update(type=backbone_cfg['type'], in_channels=in_channels, cond_channels=0,
               out_channels=1, time_embedding=False, grad_checkpointing=False)
    disc = MODELS.build(cfg)
    slice_weights(disc, teacher.backbone, skip=('conv_in', 'conv_out'))
    disc.conv_out.reset_parameters()
    return disc
