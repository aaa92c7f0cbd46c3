"""AdcSRStudent, the deployed generator: its three modes compose the parts as the model
description says (features -> decoder mid/up blocks; latent -> post_quant_conv -> decoder
conv_in -> the same feature space), and an unknown mode is refused by name."""
import pytest
import torch
from diffusers.models.autoencoders.vae import Decoder
from torch import nn

from pgpsr.models.editors.adcsr.student import AdcSRStudent


@pytest.fixture(scope='module')
def student():
    torch.manual_seed(0)
    decoder = Decoder(in_channels=4, out_channels=3, up_block_types=('UpDecoderBlock2D',) * 2,
                      block_out_channels=(8, 16), layers_per_block=1, norm_num_groups=4)
    unet = nn.Conv2d(12, decoder.conv_in.out_channels, 3, padding=1)  # any LR -> features map
    return AdcSRStudent(unet, decoder, nn.Conv2d(4, 4, 1), unshuffle=2,
                        scaling_factor=0.5).eval()


def test_sr_is_features_then_decode(student):
    lr = torch.rand(1, 3, 8, 12) * 2 - 1
    with torch.no_grad():
        feats = student(lr, mode='features')
        assert torch.equal(feats, student.unet(nn.functional.pixel_unshuffle(lr, 2)))
        sr = student(lr, mode='sr')
        assert torch.equal(sr, student.decode(feats))
    assert sr.shape == (1, 3, 8, 12)  # unshuffle 2, then the 2-level decoder's one x2


def test_reconstruct_maps_a_scaled_latent_into_the_same_space(student):
    z = torch.randn(1, 4, 4, 6)
    dec = student.decoder
    with torch.no_grad():
        want = dec.conv_in(student.post_quant_conv(z / 0.5))
        assert torch.allclose(student.latent_features(z), want)
        assert torch.allclose(student(z, mode='reconstruct'), student.decode(want))


def test_an_unknown_mode_is_named(student):
    with pytest.raises(ValueError, match="unknown mode 'decode'"):
        student(torch.zeros(1, 3, 8, 8), mode='decode')
