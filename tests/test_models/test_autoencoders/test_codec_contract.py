"""The codec contract: missing members are named at build, and the models that prune or
train a VAE refuse a codec without one."""
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import nn

from pgpsr.models.autoencoders.contract import LatentCodec, VAECodec, check_codec
from pgpsr.registry import MODELS
from tests.test_tools.helpers import ROOT


@MODELS.register_module(force=True)
class EncodeOnlyCodec(nn.Module):
    factor, latent_channels = 2, 12

    def encode(self, x):
        return x


@MODELS.register_module(force=True)
class LatentOnlyCodec(EncodeOnlyCodec):
    """A latent codec (factor 8, 4 channels, as SD's VAE) without a VAE inside."""
    factor, latent_channels = 8, 4

    def decode(self, z):
        return z


def test_both_shipped_codecs_meet_their_contracts():
    pix = MODELS.build(dict(type='PixelUnshuffleCodec', factor=2))
    vae = MODELS.build(dict(type='AutoencoderKLCodec', config=dict(
        block_out_channels=(8, 8), down_block_types=('DownEncoderBlock2D',) * 2,
        up_block_types=('UpDecoderBlock2D',) * 2, latent_channels=4, norm_num_groups=4,
        layers_per_block=1)))
    assert isinstance(pix, LatentCodec) and not isinstance(pix, VAECodec)
    assert isinstance(vae, VAECodec)
    check_codec(pix, 'test')
    check_codec(vae, 'test', VAECodec)


def test_a_codec_without_decode_is_refused_by_pgpdiffsr_by_name():
    with pytest.raises(TypeError, match=r"EncodeOnlyCodec lacks \['decode'\]"):
        MODELS.build(dict(type='PGPDiffSR', scale=4, codec=dict(type='EncodeOnlyCodec'),
                          backbone=dict(type='DiTDenoiser', in_channels=12, patch_size=2,
                                        hidden_size=32, num_heads=2, depth=(1, 1, 1))))


def test_vae_models_refuse_a_pixel_codec_by_name():
    with pytest.raises(TypeError, match=r"CodecPretrainer .* lacks \['vae', 'scaling_factor'\]"):
        MODELS.build(dict(type='CodecPretrainer', codec=dict(type='PixelUnshuffleCodec')))
    init_default_scope('pgpsr')
    cfg = Config.fromfile(f'{ROOT}/configs/adcsr/adcsr_tiny_stage2_x4.py').model
    cfg.teacher.codec = dict(type='LatentOnlyCodec')
    with pytest.raises(TypeError, match=r"AdcSR's teacher .* lacks \['vae', 'scaling_factor'\]"):
        MODELS.build(cfg)
