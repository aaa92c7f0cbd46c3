"""The neck contract: an in-backbone neck (attach + run) acts inside the backbone, any
other module is applied to the prediction, half of the in-backbone pair is refused."""
import copy

import pytest
import torch
from torch import nn

from pgpsr.models.necks.contract import acts_in_backbone
from pgpsr.registry import MODELS

PGP = dict(type='PGPDiffSR', scale=4, codec=dict(type='PixelUnshuffleCodec', factor=2),
           backbone=dict(type='DiTDenoiser', in_channels=12, patch_size=2, hidden_size=32,
                         num_heads=2, depth=(1, 1, 1)),
           test_cfg=dict(num_steps=2, seed=0))


@MODELS.register_module(force=True)
class DoublingNeck(nn.Module):
    """An output neck: 2 x the backbone's prediction."""

    def forward(self, pred, cond):
        return 2 * pred


@MODELS.register_module(force=True)
class AttachOnlyNeck(nn.Module):
    def attach(self, backbone):
        pass


def build(neck):
    torch.manual_seed(0)
    return MODELS.build(dict(copy.deepcopy(PGP), neck=neck))


def test_an_output_neck_is_applied_to_the_prediction():
    plain, doubled = build(None), build(dict(type='DoublingNeck'))
    assert not doubled.neck_in_backbone
    x, c, t = torch.randn(1, 12, 8, 8), torch.randn(1, 12, 8, 8), torch.tensor([10])
    with torch.no_grad():
        plain.backbone.final_linear.weight.normal_()
        doubled.backbone.load_state_dict(plain.backbone.state_dict())
        want = 2 * plain.denoise(x, t, c)
        assert want.abs().mean() > 0 and torch.allclose(doubled.denoise(x, t, c), want)


def test_the_adapter_acts_inside_the_backbone():
    model = build(dict(type='PhaseExchangeAdapter', channels=32, cond_channels=12,
                       insert='decoder_blocks'))
    assert model.neck_in_backbone and acts_in_backbone(model.neck, 'test')


def test_half_an_in_backbone_neck_is_refused_by_name():
    with pytest.raises(TypeError, match=r"AttachOnlyNeck has part of .* lacks \['run'\]"):
        build(dict(type='AttachOnlyNeck'))
