import pytest
import torch
from diffusers import AutoencoderKL

from pgpsr.registry import MODELS
from pgpsr.utils import MissingWeightsError

TINY_VAE = dict(in_channels=3, out_channels=3, down_block_types=['DownEncoderBlock2D'] * 2,
                up_block_types=['UpDecoderBlock2D'] * 2, block_out_channels=[8, 16],
                layers_per_block=1, latent_channels=4, norm_num_groups=4, sample_size=32)


def test_pixel_unshuffle_codec_is_exactly_invertible():
    codec = MODELS.build(dict(type='PixelUnshuffleCodec', factor=2))
    x = torch.randn(2, 3, 8, 12)
    z = codec.encode(x)
    assert z.shape == (2, 12, 4, 6) and codec.latent_channels == 12
    assert torch.equal(codec.decode(z), x)


def test_autoencoder_kl_from_config_scales_latents():
    codec = MODELS.build(dict(type='AutoencoderKLCodec', config=TINY_VAE, scaling_factor=0.5))
    assert codec.factor == 2 and codec.latent_channels == 4
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    z = codec.encode(x)
    raw = codec.vae.encode(x).latent_dist.mode()
    assert torch.allclose(z, raw * 0.5)
    assert codec.decode(z).shape == (1, 3, 16, 16)
    assert not any(p.requires_grad for p in codec.parameters())


def test_autoencoder_kl_loads_a_saved_diffusers_dir(tmp_path):
    torch.manual_seed(0)
    vae = AutoencoderKL(**TINY_VAE)
    vae.save_pretrained(tmp_path / 'vae')
    codec = MODELS.build(dict(type='AutoencoderKLCodec', pretrained=str(tmp_path / 'vae')))
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    ref = vae.encode(x).latent_dist.mode() * vae.config.scaling_factor
    assert torch.allclose(codec.encode(x), ref, atol=1e-6)
    # pipeline layout: <root>/vae with subfolder
    codec2 = MODELS.build(dict(type='AutoencoderKLCodec', pretrained=str(tmp_path),
                               subfolder='vae'))
    assert torch.allclose(codec2.encode(x), ref, atol=1e-6)


def test_autoencoder_kl_loads_a_bare_safetensors_file(tmp_path):
    from safetensors.torch import save_file
    torch.manual_seed(1)
    vae = AutoencoderKL(**TINY_VAE)
    save_file(vae.state_dict(), str(tmp_path / 'vae.safetensors'))
    codec = MODELS.build(dict(type='AutoencoderKLCodec', config=TINY_VAE,
                              pretrained=str(tmp_path / 'vae.safetensors')))
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    assert torch.allclose(codec.decode(codec.encode(x)),
                          vae.decode(vae.encode(x).latent_dist.mode()).sample, atol=1e-5)


def test_missing_weights_say_what_is_missing(tmp_path):
    with pytest.raises(MissingWeightsError, match='AutoencoderKLCodec.pretrained'):
        MODELS.build(dict(type='AutoencoderKLCodec', pretrained=str(tmp_path / 'sd-vae')))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(MissingWeightsError, match='config.json'):
        MODELS.build(dict(type='AutoencoderKLCodec', pretrained=str(tmp_path / 'empty')))


def test_backbone_pretrained_safetensors_roundtrip(tmp_path):
    from safetensors.torch import save_file
    bb = dict(type='DiTDenoiser', in_channels=12, hidden_size=16, num_heads=2, depth=(1, 1, 1))
    torch.manual_seed(3)
    src = MODELS.build(bb)
    with torch.no_grad():
        for p in src.parameters():
            p.add_(torch.randn_like(p))
    save_file({k: v.contiguous() for k, v in src.state_dict().items()},
              str(tmp_path / 'dit.safetensors'))
    model = MODELS.build(dict(type='PGPDiffSR', codec=dict(type='PixelUnshuffleCodec'),
                              backbone=bb,
                              backbone_pretrained=str(tmp_path / 'dit.safetensors')))
    for (k, v), v2 in zip(src.state_dict().items(), model.backbone.state_dict().values()):
        assert torch.equal(v, v2), k
    with pytest.raises(MissingWeightsError, match='missing.safetensors'):
        MODELS.build(dict(type='PGPDiffSR', codec=dict(type='PixelUnshuffleCodec'),
                          backbone=bb, backbone_pretrained=str(tmp_path / 'missing.safetensors')))


def test_tiled_vae_matches_untiled_on_a_large_input():
    torch.manual_seed(0)
    plain = MODELS.build(dict(type='AutoencoderKLCodec', config=TINY_VAE))
    tiled = MODELS.build(dict(type='AutoencoderKLCodec', config=TINY_VAE, tiling=True))
    tiled.load_state_dict(plain.state_dict())
    assert tiled.vae.use_tiling and tiled.vae.tile_sample_min_size == 32
    x = torch.rand(1, 3, 96, 96) * 2 - 1
    with torch.no_grad():
        z_plain, z_tiled = plain.encode(x), tiled.encode(x)
    assert z_tiled.shape == z_plain.shape == (1, 4, 48, 48)
    # tiles are blended at seams; away from them the latents agree closely
    assert (z_tiled - z_plain)[..., 4:12, 4:12].abs().max() < 0.05
