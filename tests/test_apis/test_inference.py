"""super_resolve: tiles bound the memory, the colour fix sees the whole image once."""
import numpy as np
import torch
from skimage import data

import pgpsr.models.base_models.sr_predict as sr_predict
from pgpsr.apis import init_model, super_resolve
from pgpsr.evaluation.efficiency import peak_memory_mib
from tests.test_tools.helpers import ROOT

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
