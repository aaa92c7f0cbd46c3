"""Tiled super-resolution: coverage, seams, exact sizes, and the model's tiled path."""
import pytest
import torch
import torch.nn.functional as F

from pgpsr.models.tiling import tile_starts, tiled_super_resolve
from tests.tiny_models import tiny_residual_dit


def test_tiles_cover_every_pixel():
    for length in (5, 16, 17, 40, 101):
        starts = tile_starts(length, 16, 4)
        covered = torch.zeros(length)
        for s in starts:
            covered[s:s + 16] = 1
        assert covered.all() and starts[-1] + min(16, length) == length
    with pytest.raises(ValueError, match='overlap'):
        tiled_super_resolve(lambda x, s: x, torch.zeros(1, 3, 40, 40), 4, 8, 5, 'cpu')


def _bicubic(x, seed):
    return F.interpolate(x, scale_factor=4, mode='bicubic', align_corners=False)


def test_tiled_matches_untiled_away_from_seams_and_closely_at_them():
    g = torch.Generator().manual_seed(0)
    lr = F.avg_pool2d(torch.rand(1, 3, 92, 124, generator=g), 1) * 2 - 1
    full = _bicubic(lr, 0)
    tiled = tiled_super_resolve(_bicubic, lr, 4, 32, 8, 'cpu')
    assert tiled.shape == full.shape == (1, 3, 368, 496)
    err = (tiled - full).abs()
    # a tile's own border differs from the untiled result (bicubic needs 2 px of context);
    # the blend makes those pixels a mix, so errors stay small and far from seams vanish
    assert err[..., 40:80, 40:80].max() < 1e-5
    assert err.mean() < 0.01 and err.max() < 0.35


def test_model_tiles_odd_sizes_back_to_exactly_4x():
    model = tiny_residual_dit(perturb=False, one_step=True)
    for h, w in ((9, 13), (21, 8), (5, 30)):
        lr = torch.rand(1, 3, h, w) * 2 - 1
        out = model.sample_any_size(lr)
        assert out.shape == (1, 3, 4 * h, 4 * w)
        # untrained residual model = bicubic upsampling of each tile (zero-initialised
        # output layer); tiles lack their neighbours' context only at their borders
        bic = F.interpolate(lr, scale_factor=4, mode='bicubic', align_corners=False)
        err = (out - bic.clamp(-1, 1)).abs()
        assert err.mean() < 0.01 and err.max() < 0.35


def test_batched_tiles_give_the_unbatched_result_with_per_tile_seeds():
    lr = torch.rand(1, 3, 40, 52, generator=torch.Generator().manual_seed(1)) * 2 - 1
    calls = []

    def sample(x, seeds):
        calls.append(list(seeds))
        return _bicubic(x, seeds) + torch.tensor(seeds, dtype=x.dtype)[:, None, None, None] * 1e-9

    one = tiled_super_resolve(sample, lr, 4, 16, 4, 'cpu', batch=1)
    assert all(len(c) == 1 for c in calls)
    per_tile = [c[0] for c in calls]
    calls.clear()
    five = tiled_super_resolve(sample, lr, 4, 16, 4, 'cpu', batch=5)
    assert [len(c) for c in calls][:-1] == [5] * (len(calls) - 1)
    assert sum(calls, []) == per_tile  # the same tiles, the same seeds, in order
    assert torch.allclose(one, five, atol=1e-6)


@pytest.mark.parametrize('one_step', [True, False])
def test_model_tile_batch_changes_speed_not_the_result(one_step):
    lr = torch.rand(1, 3, 21, 30, generator=torch.Generator().manual_seed(2)) * 2 - 1
    model = tiny_residual_dit(one_step=one_step, num_steps=2)
    ref = model.sample_any_size(lr)
    model.test_cfg['tile_batch'] = 6
    out = model.sample_any_size(lr)
    assert (ref - model.sample_any_size(lr, tile=0)).abs().max() > 1e-3  # tiling matters
    assert torch.allclose(out, ref, atol=1e-5), (out - ref).abs().max()
