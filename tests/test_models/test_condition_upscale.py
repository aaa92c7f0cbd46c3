"""The LR upscale a latent SR model encodes: each reference's choice against the library
that defines it (torch's bicubic, Pillow's), and a wrong name refused."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from pgpsr.models.condition_upscale import upscale_condition


def _edgy_lr():
    """An 8-bit LR with hard black/white edges, where bicubic overshoots [-1, 1]."""
    rng = np.random.default_rng(0)
    u8 = rng.integers(0, 256, (2, 7, 9, 3), dtype=np.uint8)
    u8[:, 2:5, 2:4], u8[:, 2:5, 4:6] = 0, 255
    return u8, torch.from_numpy(u8).permute(0, 3, 1, 2).float() / 127.5 - 1


def test_each_method_is_its_references_upscale():
    u8, lr = _edgy_lr()
    torch_up = F.interpolate(lr, scale_factor=4, mode='bicubic', align_corners=False)
    assert torch_up.abs().max() > 1.05
    assert torch.equal(upscale_condition(lr, 4, 'torch'), torch_up)
    assert torch.equal(upscale_condition(lr, 4, 'torch_clamped'), torch_up.clamp(-1, 1))
    pil = np.stack([np.asarray(Image.fromarray(im).resize((36, 28), Image.BICUBIC))
                    for im in u8])
    want = torch.from_numpy(pil).permute(0, 3, 1, 2).float() / 127.5 - 1
    got = upscale_condition(lr, 4, 'pil')
    assert got.shape == (2, 3, 28, 36) and torch.equal(got, want)
    assert (got - torch_up.clamp(-1, 1)).abs().max() > 0.02  # Pillow's a=-0.5 kernel


def test_the_model_upscales_by_its_config_and_refuses_an_unknown_method():
    from pgpsr.apis import load_config
    from pgpsr.registry import MODELS
    from tests.test_tools.helpers import ROOT
    cfg = load_config(f'{ROOT}/configs/pgp_diffsr/pgp_dit_tiny_x4.py').model
    _, lr = _edgy_lr()
    cfg.condition_upscale = 'torch'
    model = MODELS.build(cfg)  # PixelUnshuffleCodec: the condition is the upscale itself
    want = F.pixel_unshuffle(F.interpolate(lr, scale_factor=4, mode='bicubic'), 2)
    assert torch.equal(model.encode_condition(lr), want)
    cfg.condition_upscale = 'lanczos'
    with pytest.raises(ValueError, match="condition_upscale must be one of"):
        MODELS.build(cfg)
