"""adcsr_to_pgpsr + configs/adcsr/adcsr_release_x4.py against AdcSR's reference: a tiny
student built here by model.py's steps (Net.__init__, halve_channels) and run by
forward.py's forwards and test.py's pipeline, all written out from reading the reference
code, saved in the release's three file formats, converted, and run by pgpsr: the same SR
within 1e-5."""
import copy
import math
import types

import pytest
import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL
from diffusers.models.attention import BasicTransformerBlock
from diffusers.models.autoencoders.vae import Decoder
from diffusers.models.downsampling import Downsample2D
from diffusers.models.resnet import ResnetBlock2D
from diffusers.models.upsampling import Upsample2D
from torch import nn

from pgpsr.models.pretrained.tiny_pretrained import tiny_model
from tests.test_tools.helpers import ROOT, run_tool

# a VAE whose half decoder takes the reference's norm_num_groups=32: widths 64 -> 32
VAE = dict(in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=32,
           down_block_types=['DownEncoderBlock2D'] * 4, up_block_types=['UpDecoderBlock2D'] * 4,
           block_out_channels=[64] * 4, layers_per_block=1, sample_size=64,
           scaling_factor=0.18215)
HALF = [32] * 4


def _randomise(module, gen, std=0.05):
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * std)


def halve_channels(model):
    """model.py's halve_channels: every Conv2d/Linear/GroupNorm/LayerNorm to its leading
    75% (contiguous), GroupNorm groups the first of 32/24/16/... dividing the width."""
    for name, module in list(model.named_modules()):
        parent = model.get_submodule(name.rsplit('.', 1)[0]) if '.' in name else model
        last = name.rsplit('.', 1)[-1]
        if isinstance(module, nn.Conv2d):
            new = nn.Conv2d(int(module.in_channels * 0.75), int(module.out_channels * 0.75),
                            module.kernel_size, module.stride, module.padding,
                            module.dilation, module.groups, bias=module.bias is not None)
            with torch.no_grad():
                new.weight.copy_(module.weight[:new.out_channels, :new.in_channels])
                if module.bias is not None:
                    new.bias.copy_(module.bias[:new.out_channels])
        elif isinstance(module, nn.Linear):
            new = nn.Linear(int(module.in_features * 0.75), int(module.out_features * 0.75),
                            bias=module.bias is not None)
            with torch.no_grad():
                new.weight.copy_(module.weight[:new.out_features, :new.in_features])
                if module.bias is not None:
                    new.bias.copy_(module.bias[:new.out_features])
        elif isinstance(module, nn.GroupNorm):
            c = int(module.num_channels * 0.75)
            g = next(g for g in (32, 24, 16, 12, 8, 6, 4, 2, 1) if c % g == 0)
            new = nn.GroupNorm(g, c, eps=module.eps, affine=module.affine)
            with torch.no_grad():
                new.weight.copy_(module.weight[:c])
                new.bias.copy_(module.bias[:c])
        elif isinstance(module, nn.LayerNorm):
            c = int(module.normalized_shape[0] * 0.75)
            new = nn.LayerNorm(c, eps=module.eps, elementwise_affine=module.elementwise_affine)
            with torch.no_grad():
                new.weight.copy_(module.weight[:c])
                new.bias.copy_(module.bias[:c])
        else:
            if isinstance(module, (Downsample2D, Upsample2D)):
                module.channels = int(module.channels * 0.75)
            continue
        setattr(parent, last, new)


def _resnet(self, x_in):  # forward.py MyResnetBlock2D_SD_forward
    x = self.conv1(self.nonlinearity(self.norm1(x_in)))
    x = self.conv2(self.nonlinearity(self.norm2(x)))
    return x + (x_in if self.in_channels == self.out_channels else self.conv_shortcut(x_in))


def _transformer(self, x_in):  # MyTransformer2DModel_SD_forward
    b, c, h, w = x_in.shape
    x = self.norm(x_in).permute(0, 2, 3, 1).reshape(b, h * w, c)
    x = self.proj_in(x)
    for block in self.transformer_blocks:
        x = x + block.attn1(block.norm1(x))
        x = x + block.ff(block.norm3(x))
    x = self.proj_out(x)
    return x.reshape(b, h, w, -1).permute(0, 3, 1, 2) + x_in


def _unet(self, x):  # MyUNet2DConditionModel_SD_forward and the block forwards
    x = self.conv_in(x)
    skip = [x]
    for blk in self.down_blocks:
        for i, r in enumerate(blk.resnets):
            x = _resnet(r, x)
            if getattr(blk, 'attentions', None):
                x = _transformer(blk.attentions[i], x)
            skip.append(x)
        if blk.downsamplers is not None:
            x = blk.downsamplers[0](x)
            skip.append(x)
    x = _transformer(self.mid_block.attentions[0], _resnet(self.mid_block.resnets[0], x))
    x = _resnet(self.mid_block.resnets[1], x)
    for blk in self.up_blocks:
        for i, r in enumerate(blk.resnets):
            x = _resnet(r, torch.cat([x, skip.pop()], 1))
            if getattr(blk, 'attentions', None):
                x = _transformer(blk.attentions[i], x)
        if blk.upsamplers is not None:
            x = blk.upsamplers[0](x)
    return self.conv_out(self.conv_act(self.conv_norm_out(x)))


class Net(nn.Module):
    """model.py's Net on a (tiny) SD2.1 UNet and a half decoder; conv_out tiled to the
    width whose 75% is the decoder's mid-block width (342 -> 256 at real size)."""

    def __init__(self, unet, decoder):
        super().__init__()
        del unet.time_embedding
        c0, feat = unet.conv_in.out_channels, decoder.mid_block.resnets[0].in_channels
        n_out = math.ceil(feat / 0.75)
        conv_in = nn.Conv2d(16, c0, 3, padding=1)
        conv_in.weight.data = unet.conv_in.weight.data.repeat(1, 4, 1, 1)
        conv_in.bias.data = unet.conv_in.bias.data
        unet.conv_in = conv_in
        reps = math.ceil(n_out / unet.conv_out.out_channels)
        conv_out = nn.Conv2d(c0, n_out, 3, padding=1)
        conv_out.weight.data = unet.conv_out.weight.data.repeat(reps, 1, 1, 1)[:n_out]
        conv_out.bias.data = unet.conv_out.bias.data.repeat(reps)[:n_out]
        unet.conv_out = conv_out
        for m in unet.modules():
            if isinstance(m, ResnetBlock2D):
                del m.time_emb_proj
            if isinstance(m, BasicTransformerBlock):
                del m.attn2, m.norm2
        halve_channels(unet)
        unet.forward = types.MethodType(_unet, unet)
        unet.body = nn.Sequential(*unet.down_blocks, unet.mid_block, *unet.up_blocks,
                                  unet.conv_norm_out, unet.conv_act, unet.conv_out)
        del decoder.conv_in, decoder.up_blocks, decoder.conv_norm_out, decoder.conv_act
        del decoder.conv_out
        self.body = nn.Sequential(nn.PixelUnshuffle(2), unet, decoder.mid_block)

    def forward(self, x):
        return self.body(x)


@pytest.fixture(scope='module')
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp('adcsr')
    gen = torch.Generator().manual_seed(0)
    sd21 = root / 'sd21'
    tiny_model('sd21').save_pretrained(sd21 / 'unet')
    torch.manual_seed(1)
    AutoencoderKL(**VAE).save_pretrained(sd21 / 'vae')
    base_unet = tiny_model('sd21')
    teacher_unet, vae = copy.deepcopy(base_unet), AutoencoderKL.from_pretrained(sd21 / 'vae')
    _randomise(teacher_unet, gen)  # OSEDiff: SD2.1 fine-tuned
    _randomise(vae, gen)
    torch.save(dict(unet=teacher_unet.state_dict(), vae=vae.state_dict()), root / 'osediff.pkl')
    decoder = Decoder(in_channels=4, out_channels=3, up_block_types=['UpDecoderBlock2D'] * 4,
                      block_out_channels=HALF, layers_per_block=1, norm_num_groups=32,
                      act_fn='silu', norm_type='group', mid_block_add_attention=True)
    _randomise(decoder, gen, 0.1)  # stage 1's training
    junk = dict(('encoder.' + k, v) for k, v in vae.encoder.state_dict().items())
    torch.save(dict(state_dict={**{f'decoder.{k}': v for k, v in decoder.state_dict().items()},
                                **junk, 'loss.logvar': torch.zeros(())}, global_step=7),
               root / 'halfDecoder.ckpt')
    net = Net(copy.deepcopy(base_unet), copy.deepcopy(decoder))  # from plain SD2.1
    _randomise(net, gen)  # stage 2's training
    torch.save(nn.DataParallel(net).state_dict(), root / 'net_params_200.pkl')
    # test.py: Net, then the frozen half decoder's up path, then AdaIN to the LR
    full = nn.Sequential(net, *decoder.up_blocks, decoder.conv_norm_out, decoder.conv_act,
                         decoder.conv_out).eval()
    lr = torch.rand(1, 3, 32, 48, generator=gen) * 2 - 1
    with torch.no_grad():
        raw = full(lr)
    sr = (raw - raw.mean((2, 3), keepdim=True)) / raw.std((2, 3), keepdim=True) \
        * lr.std((2, 3), keepdim=True) + lr.mean((2, 3), keepdim=True)
    out = root / 'converted'
    res = run_tool(['tools/model_converters/adcsr_to_pgpsr.py', '--sd21', str(sd21),
                    '--osediff', str(root / 'osediff.pkl'), '--decoder',
                    str(root / 'halfDecoder.ckpt'), '--student',
                    str(root / 'net_params_200.pkl'), '--out', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return dict(root=root, out=out, lr=lr, raw=raw, sr=sr.clamp(-1, 1), teacher=teacher_unet,
                reference=full)


def _release_model(release, **test_cfg):
    from mmengine.config import Config

    from pgpsr.apis import init_model
    cfg = Config.fromfile(f'{ROOT}/configs/adcsr/adcsr_release_x4.py')
    folder = str(release['out'] / 'osediff')
    cfg.model.teacher.codec.pretrained = cfg.model.teacher.backbone.pretrained = folder
    cfg.model.test_cfg.update(test_cfg)
    return init_model(cfg, str(release['out'] / 'adcsr_student.pth'))


def test_released_student_computes_what_the_reference_computes(release):
    """In float64, so that any difference is the computation, not rounding order."""
    model = _release_model(release)
    lr = release['lr'].double()
    with torch.no_grad():
        ours = model.generator.double()(lr, mode='sr')
        ref = copy.deepcopy(release['reference']).double()(lr)
    assert ours.shape == ref.shape == (1, 3, 128, 192)
    assert torch.allclose(ours, ref, atol=1e-10), (ours - ref).abs().max()


def test_release_config_gives_the_reference_sr_with_its_colour_fix(release):
    """The user's path in float32: padding, clamping and AdaIN to the LR's statistics."""
    model = _release_model(release)
    with torch.no_grad():
        sr = model.sample_any_size(release['lr'])
    assert sr.shape == release['sr'].shape
    assert torch.allclose(sr, release['sr'], atol=1e-4), (sr - release['sr']).abs().max()


def test_the_teacher_folder_holds_osediff_pkl(release):
    from diffusers import UNet2DConditionModel
    unet = UNet2DConditionModel.from_pretrained(release['out'] / 'osediff', subfolder='unet')
    for k, v in release['teacher'].state_dict().items():
        assert torch.equal(unet.state_dict()[k], v), k


def test_files_of_another_kind_are_refused_by_name(release, tmp_path):
    torch.save(dict(state_dict={}), tmp_path / 'x.pkl')
    args = ['tools/model_converters/adcsr_to_pgpsr.py', '--sd21', str(release['root'] / 'sd21'),
            '--decoder', str(release['root'] / 'halfDecoder.ckpt'), '--student',
            str(release['root'] / 'net_params_200.pkl'), '--out', str(tmp_path / 'o')]
    res = run_tool(args + ['--osediff', str(tmp_path / 'x.pkl')])
    assert res.returncode != 0 and "is not AdcSR's osediff.pkl" in res.stderr
    args[args.index('--student') + 1] = str(tmp_path / 'x.pkl')
    res = run_tool(args + ['--osediff', str(release['root'] / 'osediff.pkl')])
    assert res.returncode != 0 and "unexpected keys ['state_dict']" in res.stderr


def test_tools_run_the_release_config_with_no_checkpoint_argument(release, tmp_path):
    """tools/test.py CONFIG --gt --lq: the config's load_from holds every weight."""
    import json

    import cv2
    import numpy as np
    from skimage import data
    for sub, size in (('HR', 128), ('LR', 32)):
        (tmp_path / sub).mkdir()
        img = cv2.resize(data.astronaut(), (size, size), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(tmp_path / sub / 'a.png'), img[..., ::-1])
    folder = release['out'] / 'osediff'
    res = run_tool(['tools/test.py', 'configs/adcsr/adcsr_release_x4.py', '--gt',
                    str(tmp_path / 'HR'), '--lq', str(tmp_path / 'LR'), '--out',
                    str(tmp_path / 'r.json'), '--work-dir', str(tmp_path / 'w'),
                    '--cfg-options', f'model.teacher.codec.pretrained={folder}',
                    f'model.teacher.backbone.pretrained={folder}',
                    f"load_from={release['out'] / 'adcsr_student.pth'}"], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    assert np.isfinite(json.loads((tmp_path / 'r.json').read_text())['mean']['PSNR'])
    res = run_tool(['tools/infer.py', 'configs/adcsr/adcsr_release_x4.py', '--input',
                    str(tmp_path / 'LR'), '--output', str(tmp_path / 'SR'), '--cfg-options',
                    f'model.teacher.codec.pretrained={folder}',
                    f'model.teacher.backbone.pretrained={folder}',
                    f"load_from={release['out'] / 'adcsr_student.pth'}"], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    assert cv2.imread(str(tmp_path / 'SR' / 'a_x4.png')).shape == (128, 128, 3)
    for tool in ('tools/test.py', 'tools/infer.py'):
        res = run_tool([tool, 'configs/adcsr/adcsr_tiny_stage2_x4.py', '--input',
                        str(tmp_path / 'LR'), '--output', str(tmp_path / 'y')]
                       if tool.endswith('infer.py') else
                       [tool, 'configs/adcsr/adcsr_tiny_stage2_x4.py'])
        assert res.returncode != 0 and 'no checkpoint: give CHECKPOINT' in res.stderr
