"""tools/infer.py on a folder of awkward files, as a user runs it."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from pgpsr.registry import MODELS
from .helpers import ROOT, run_tool

CONFIG = 'configs/pgp_diffsr/pgp_dit_s1_demo_x4.py'


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(f'{ROOT}/{CONFIG}').model)
    path = tmp_path_factory.mktemp('ckpt') / 'model.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    return str(path)


def test_folder_with_odd_gray_rgba_16bit_and_broken_files(tmp_path, checkpoint):
    src, out = tmp_path / 'in', tmp_path / 'out'
    src.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (13, 17, 3), dtype=np.uint8)).save(src / 'odd.png')
    Image.fromarray(rng.integers(0, 255, (20, 9), dtype=np.uint8)).save(src / 'gray.png')
    rgba = rng.integers(0, 255, (12, 12, 4), dtype=np.uint8)
    rgba[..., 3] = 0
    rgba[:6, :, 3] = 255
    Image.fromarray(rgba, 'RGBA').save(src / 'rgba.png')
    Image.fromarray((rng.integers(0, 65535, (10, 11)).astype(np.uint16))).save(src / 'deep.png')
    (src / 'broken.jpg').write_bytes(b'\xff\xd8\xff\xe0 not really a jpeg')
    args = ['tools/infer.py', CONFIG, checkpoint, '--input', str(src), '--output', str(out),
            '--tile', '8', '--tile-overlap', '2', '--color-fix', 'wavelet']
    res = run_tool(args, timeout=300)
    assert res.returncode == 1  # one bad file: reported, the rest written
    assert 'broken.jpg' in res.stderr and '4 of 5 images written' in res.stdout
    assert Image.open(out / 'odd_x4.png').size == (68, 52)
    assert Image.open(out / 'gray_x4.png').size == (36, 80)
    up = np.asarray(Image.open(out / 'rgba_x4.png'))
    assert up.shape == (48, 48, 4)
    assert up[:20, :, 3].min() > 200 and up[28:, :, 3].max() < 50  # alpha reattached
    import cv2
    deep = cv2.imread(str(out / 'deep_x4.png'), cv2.IMREAD_UNCHANGED)
    assert deep.dtype == np.uint16 and deep.shape[:2] == (40, 44)
    assert (deep % 257).any()  # 16-bit precision kept, not 8-bit values scaled up

    again = run_tool(args, timeout=300)  # existing outputs are never silently replaced
    assert again.returncode == 1 and 'exists' in again.stderr
    skip = run_tool(args + ['--skip-existing'], timeout=300)
    assert 'broken.jpg' in skip.stderr and 'exists' not in skip.stderr


def test_output_folder_equal_to_input_never_overwrites(tmp_path, checkpoint):
    img = tmp_path / 'a_x4.png'
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(img)
    before = img.read_bytes()
    res = run_tool(['tools/infer.py', CONFIG, checkpoint, '--input', str(tmp_path / 'a_x4.png'),
                    '--output', str(tmp_path)], timeout=300)
    assert img.read_bytes() == before
    # a_x4.png -> a_x4_x4.png: a new name; the input is untouched either way
    assert res.returncode == 0 and (tmp_path / 'a_x4_x4.png').exists()


def test_missing_checkpoint_is_named(tmp_path):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / 'a.png')
    res = run_tool(['tools/infer.py', CONFIG, str(tmp_path / 'none.pth'), '--input',
                    str(tmp_path), '--output', str(tmp_path / 'o')], timeout=300)
    assert res.returncode != 0 and 'none.pth' in res.stderr
    assert 'Traceback' not in res.stderr


def test_the_configs_colour_fix_applies_unless_overridden(tmp_path):
    """Without --color-fix the config's test_cfg.color_fix is used (a shipped AdcSR config
    turns the wavelet fix on); --color-fix or --cfg-options replace it. --tile-batch
    changes nothing but speed."""
    from .helpers import write_config
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(f'{ROOT}/{CONFIG}').model)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)  # an output whose colours drift from the LR
    ckpt = tmp_path / 'drift.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    cfg = write_config(tmp_path / 'adain.py', "model = dict(test_cfg=dict(color_fix='adain'))\n",
                       base=CONFIG)
    src = tmp_path / 'in'
    src.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (24, 40, 3), dtype=np.uint8)).save(src / 'a.png')
    outs = {}
    for name, extra in (('config', []), ('adain', ['--color-fix', 'adain']),
                        ('none', ['--color-fix', 'none']), ('batched', ['--tile-batch', '7']),
                        ('option', ['--cfg-options', 'model.test_cfg.color_fix=none'])):
        res = run_tool(['tools/infer.py', cfg, str(ckpt), '--input', str(src), '--output',
                        str(tmp_path / name)] + extra, timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        outs[name] = np.asarray(Image.open(tmp_path / name / 'a_x4.png')).astype(int)
    assert np.array_equal(outs['config'], outs['adain'])
    assert np.abs(outs['config'] - outs['none']).max() > 10
    assert np.abs(outs['config'] - outs['batched']).max() <= 1
    assert np.array_equal(outs['option'], outs['none'])


def test_a_typo_in_cfg_options_is_refused_by_name(tmp_path):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / 'a.png')
    res = run_tool(['tools/infer.py', CONFIG, str(tmp_path / 'none.pth'), '--input',
                    str(tmp_path / 'a.png'), '--output', str(tmp_path / 'o'),
                    '--cfg-options', 'modle.test_cfg.tile=8'], timeout=300)
    assert res.returncode != 0 and "'modle' (did you mean 'model'?)" in res.stderr
    assert 'Traceback' not in res.stderr


def test_infer_writes_the_pixels_of_the_full_size_float_path(tmp_path):
    """tools/infer.py quantises strip by strip; its 8-bit PNG (colour and alpha) equals
    the full-size path it replaced, super_resolve_float + upscale_alpha + write_png."""
    from pgpsr.apis import init_model, super_resolve_float, upscale_alpha
    from pgpsr.datasets.image_writer import write_png
    torch.manual_seed(1)
    model = MODELS.build(Config.fromfile(f'{ROOT}/{CONFIG}').model)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    ckpt = tmp_path / 'drift.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    rgba = np.random.default_rng(4).integers(0, 255, (27, 19, 4), dtype=np.uint8)
    Image.fromarray(rgba, 'RGBA').save(tmp_path / 'a.png')
    res = run_tool(['tools/infer.py', CONFIG, str(ckpt), '--input', str(tmp_path / 'a.png'),
                    '--output', str(tmp_path / 'new'), '--tile', '8', '--tile-overlap', '2',
                    '--color-fix', 'wavelet'], timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    loaded = init_model(Config.fromfile(f'{ROOT}/{CONFIG}'), str(ckpt))
    sr = super_resolve_float(loaded, rgba[..., :3], tile=8, tile_overlap=2, color='wavelet')
    write_png(str(tmp_path / 'old.png'), sr, upscale_alpha(rgba[..., 3] / np.float32(255), 4))
    new = np.asarray(Image.open(tmp_path / 'new' / 'a_x4.png'))
    assert new.shape == (108, 76, 4)
    assert np.array_equal(new, np.asarray(Image.open(tmp_path / 'old.png')))
