"""A fine-tuned (unpruned) DiffusersUNetDenoiser reaches its exported diffusers folder:
every tensor of ``UNet2DConditionModel.from_pretrained(folder)`` is the fine-tuned one
(not the pretrained one it started from), through the exporter and through
tools/model_converters/pgpsr_to_diffusers.py with a checkpoint."""
import importlib.util
import os.path as osp

import pytest
import torch
from diffusers import UNet2DConditionModel

from pgpsr.apis import init_model
from pgpsr.models.backbones.diffusers_export import save_diffusers
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def _fine_tune(module):
    """What a fine-tune does to the weights: every parameter moves."""
    torch.manual_seed(1)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.05 * torch.randn_like(p))


def _check_export(folder, backbone, pretrained):
    """Oracle: the fine-tuned module's own parameters, by name, and its forward."""
    unet = UNet2DConditionModel.from_pretrained(str(folder)).eval()
    got = dict(unet.named_parameters())
    want = dict(backbone.unet.named_parameters())
    assert sorted(got) == sorted(want)
    for name, p in want.items():
        assert torch.equal(got[name], p), f'{name}: not the fine-tuned weights'
        assert not torch.equal(got[name], pretrained[name]), f'{name}: the pretrained one'
    x, c, t = torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8), torch.tensor([5, 900])
    cat = backbone.conditioning == 'concat'
    ehs, added = backbone.conditioning_kwargs(2, x.dtype)
    with torch.no_grad():
        want_out = backbone(x, t, c) if cat else backbone(x, t)
        out = unet(torch.cat([x, c], 1) if cat else x, t, encoder_hidden_states=ehs,
                   added_cond_kwargs=added).sample
    err = float((out - want_out).abs().max())
    assert err <= 1e-5 and want_out.abs().mean() > 0.05, err


def test_fine_tuned_weights_reach_the_exported_folder(tmp_path):
    pipe = save_tiny_pipeline('sd21', str(tmp_path / 'sd21'))
    bb = MODELS.build(dict(type='DiffusersUNetDenoiser', pretrained=pipe, subfolder='unet',
                           conditioning='input')).eval()
    pretrained = {n: p.detach().clone() for n, p in bb.unet.named_parameters()}
    _fine_tune(bb)
    save_diffusers(bb, str(tmp_path / 'out'))
    _check_export(tmp_path / 'out', bb, pretrained)


def test_converter_tool_exports_the_checkpoints_weights(tmp_path):
    """The user's path: shipped tiny SD2.1 config + a fine-tuned checkpoint -> folder."""
    pipe = save_tiny_pipeline('sd21', str(tmp_path / 'sd21'))
    cfg = tmp_path / 'cfg.py'
    base = osp.join(ROOT, 'configs/pgp_diffsr/pgp_sd21unet_tiny_x4.py')
    cfg.write_text(f"_base_ = ['{base}']\n"
                   f"model = dict(codec=dict(pretrained='{pipe}'), "
                   f"backbone=dict(pretrained='{pipe}'))\n")
    model = init_model(str(cfg))
    pretrained = {n: p.detach().clone() for n, p in model.backbone.unet.named_parameters()}
    _fine_tune(model.backbone)
    torch.save(dict(state_dict=model.state_dict(), meta={}), tmp_path / 'ft.pth')
    spec = importlib.util.spec_from_file_location(
        'pgpsr_to_diffusers', osp.join(ROOT, 'tools/model_converters/pgpsr_to_diffusers.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tool.main([str(cfg), str(tmp_path / 'ft.pth'), str(tmp_path / 'out')])
    _check_export(tmp_path / 'out', model.backbone, pretrained)


def test_converter_tool_takes_cfg_options(tmp_path):
    """``--cfg-options`` reach the converter's model: the shipped tiny config pointed at a
    local folder, its LR conditioning switched from concat (conv_in 8) to input (4)."""
    import json
    pipe = save_tiny_pipeline('sd21', str(tmp_path / 'sd21'))
    spec = importlib.util.spec_from_file_location(
        'pgpsr_to_diffusers', osp.join(ROOT, 'tools/model_converters/pgpsr_to_diffusers.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    args = [osp.join(ROOT, 'configs/pgp_diffsr/pgp_sd21unet_tiny_x4.py'),
            str(tmp_path / 'out'), '--cfg-options', 'load_from=None',
            f'model.codec.pretrained={pipe}',
            f'model.backbone.pretrained={pipe}', 'model.backbone.conditioning=input']
    # the recipe's adapter reads the LR latent from the UNet's input, which 'input' lacks:
    # refused rather than exported without it
    with pytest.raises(SystemExit, match="conditioning='input'"):
        tool.main(args)
    assert not (tmp_path / 'out').exists()
    tool.main(args + ['model.neck=None'])
    with open(tmp_path / 'out' / 'config.json') as f:
        assert json.load(f)['in_channels'] == 4
    assert not (tmp_path / 'out' / 'adapter').exists()
