"""super_resolve: tiles bound the memory, the colour fix sees the whole image once."""
import numpy as np
import torch
from skimage import data

import pgpsr.models.base_models.sr_predict as sr_predict
from pgpsr.apis import init_model, super_resolve
from pgpsr.apis.inference import super_resolve_float
from pgpsr.evaluation.efficiency import peak_memory_mib
from tests.test_tools.helpers import ROOT
from tests.tiny_models import tiny_residual_dit

CONFIG = f'{ROOT}/configs/pgp_diffsr/pgp_dit_tiny_x4.py'


def tiny_model(num_steps=1):
    torch.manual_seed(0)
    model = init_model(CONFIG)
    model.test_cfg['num_steps'] = num_steps  # memory and colour do not depend on it
    return model


def test_tiles_bound_the_peak_memory():
    """Untiled attention grows with the image; tiled, a 4x larger image costs little more
    than its larger output buffer."""
    model = tiny_model()
    small, big = data.astronaut()[:32, :32], data.astronaut()[:64, :64]
    peak = lambda img, tile: peak_memory_mib(  # noqa: E731
        lambda: super_resolve(model, img, seed=0, tile=tile, tile_overlap=4), 'cpu')
    peak(small, 16)  # warm-up: first-call allocations are not the model's
    untiled_big = peak(big, 64)
    tiled_small, tiled_big = peak(small, 16), peak(big, 16)
    assert tiled_big < 0.5 * untiled_big, (tiled_big, untiled_big)
    assert tiled_big < tiled_small + 8, (tiled_small, tiled_big)  # output: 0.75 MiB


def test_colour_fix_runs_once_on_the_whole_tiled_image(monkeypatch):
    calls = []
    real = sr_predict.color_fix

    def spy(sr, lr, method):
        calls.append((tuple(sr.shape), tuple(lr.shape)))
        return real(sr, lr, method)
    monkeypatch.setattr(sr_predict, 'color_fix', spy)
    out = super_resolve(tiny_model(), data.coffee()[:40, :56], seed=0, tile=16, tile_overlap=4,
                        color='wavelet')
    assert out.shape == (160, 224, 3)
    assert calls == [((1, 3, 160, 224), (1, 3, 40, 56))]


def test_peak_memory_measures_an_allocation():
    grow = peak_memory_mib(lambda: torch.ones(64 * 2 ** 18).add_(1), 'cpu')  # 64 MiB
    idle = peak_memory_mib(lambda: None, 'cpu')
    assert 60 < grow < 80 and abs(idle) < 4, (grow, idle)


def test_colour_fix_from_the_config_and_overridden_per_call():
    """test_cfg.color_fix applies by default (predict, infer, results); an explicit
    `color` overrides it; an unknown method is refused when the model is built."""
    import pytest
    from mmengine.config import Config
    model = tiny_model()
    lr = data.coffee()[:20, :24]
    plain = super_resolve(model, lr, seed=0)
    model.test_cfg['color_fix'] = 'adain'
    fixed = super_resolve(model, lr, seed=0)
    assert not np.array_equal(plain, fixed)
    assert np.array_equal(super_resolve(model, lr, seed=0, color='none'), plain)
    assert np.array_equal(super_resolve(model, lr, seed=0, color='adain'), fixed)
    cfg = Config.fromfile(CONFIG)
    cfg.model.test_cfg['color_fix'] = 'histogram'
    with pytest.raises(ValueError, match='color_fix must be one of'):
        init_model(cfg)


def test_uint8_and_unit_float_inputs_map_to_minus_one_one_as_written_out():
    """uint8 RGB is x / 255 * 2 - 1, float RGB in [0, 1] is x * 2 - 1; the output is
    (sr + 1) / 2. An untrained residual model predicting x0 (zero output layer) returns
    the clamped torch bicubic x4 of its input: the whole path written out by hand."""
    model = tiny_residual_dit(perturb=False, tile=None, one_step=True)
    img = data.astronaut()[100:108, 200:212]  # uint8 RGB, 8x12
    x = torch.from_numpy(img.astype(np.float64)).permute(2, 0, 1)[None] / 255 * 2 - 1
    up = torch.nn.functional.interpolate(x, scale_factor=4, mode='bicubic',
                                         align_corners=False).clamp(-1, 1)
    want = ((up[0].permute(1, 2, 0) + 1) / 2).numpy()
    tol = 16 * np.finfo(np.float32).eps  # a few float32 roundings of values in [0, 1]
    for given in (img, img.astype(np.float32) / 255):
        got = super_resolve_float(model, given)
        assert got.shape == (32, 48, 3)
        np.testing.assert_allclose(got, want, rtol=0, atol=tol)
