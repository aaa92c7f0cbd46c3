"""Strip-wise tiling: the stacked strips are bitwise the full-size blend it replaced (the
old algorithm is written out below as the oracle), and the buffer stays a tile row tall."""
import pytest
import torch
import torch.nn.functional as F

from pgpsr.models.tiling import iter_tiled_strips, iter_tiles, ramp_window, tiled_super_resolve


def full_size_blend(sample, lr, scale, tile, overlap, batch=1):
    """The pre-strip tiled_super_resolve: full-size sum and weight, divided at the end."""
    _, c, h, w = lr.shape
    out = torch.zeros(1, c, h * scale, w * scale)
    weight = torch.zeros(1, 1, h * scale, w * scale)
    tiles = list(iter_tiles(h, w, tile, overlap))
    for k in range(0, len(tiles), batch):
        chunk = tiles[k:k + batch]
        pieces = torch.cat([lr[..., y:y + th, x:x + tw] for y, x, th, tw, _ in chunk])
        seeds = [(y * 7919 + x) % (2 ** 31) for y, x, *_ in chunk]
        srs = sample(pieces, seeds).float()
        for (y, x, th, tw, edges), sr in zip(chunk, srs):
            wgt = ramp_window(th * scale, tw * scale, overlap * scale, overlap * scale, edges)
            ys, xs = slice(y * scale, (y + th) * scale), slice(x * scale, (x + tw) * scale)
            out[..., ys, xs] += sr * wgt
            weight[..., ys, xs] += wgt
    return out / weight.clamp_min(1e-8)


def toy_model(scale=4):
    """A fixed random conv + nearest upsampling + a seed-dependent offset: deterministic,
    context-dependent (so tile borders differ) and seed-sensitive."""
    conv = torch.nn.Conv2d(3, 3, 3, padding=1)
    with torch.no_grad():
        w = torch.randn(conv.weight.shape, generator=torch.Generator().manual_seed(0))
        conv.weight.copy_(w)

    @torch.no_grad()
    def sample(x, seeds):
        off = torch.tensor(seeds, dtype=x.dtype)[:, None, None, None] % 97 / 1000
        return torch.tanh(F.interpolate(conv(x), scale_factor=scale, mode='nearest')) + off
    return sample


def lr_image(h, w, seed=0):
    return torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@pytest.mark.parametrize('h, w, tile, overlap, batch', [
    (37, 29, 16, 4, 1),    # odd sizes, several rows and columns
    (37, 29, 16, 4, 5),    # batches that cross tile rows
    (40, 40, 16, 0, 1),    # no overlap
    (16, 16, 16, 4, 1),    # exactly one tile
    (9, 13, 16, 4, 1),     # smaller than a tile
    (50, 7, 16, 8, 3),     # a single column, overlap half the tile
    (7, 50, 16, 3, 2),     # a single row
])
def test_strips_stack_to_the_full_size_blend_bitwise(h, w, tile, overlap, batch):
    sample, lr = toy_model(), lr_image(h, w)
    oracle = full_size_blend(sample, lr, 4, tile, overlap, batch)
    strips = list(iter_tiled_strips(sample, lr, 4, tile, overlap, 'cpu', batch=batch))
    starts = [y for y, _ in strips]
    assert starts[0] == 0 and starts == sorted(set(starts))
    assert all(y + s.shape[-2] == n for (y, s), (n, _) in zip(strips, strips[1:]))
    assert all(s.shape[-2] <= min(tile, h) * 4 for _, s in strips)  # never over a tile row
    stacked = torch.cat([s for _, s in strips], dim=-2)
    assert torch.equal(stacked, oracle)
    assert torch.equal(tiled_super_resolve(sample, lr, 4, tile, overlap, 'cpu', batch=batch),
                       oracle)


def test_strips_come_out_as_soon_as_a_tile_row_is_done():
    lr, rows_done = lr_image(40, 20), []
    calls = []

    def sample(x, seeds):
        calls.append(len(seeds))
        return F.interpolate(x, scale_factor=2, mode='nearest')
    for y0, strip in iter_tiled_strips(sample, lr, 2, 16, 4, 'cpu'):
        rows_done.append((y0, strip.shape[-2], len(calls)))
    # tile rows start at LR 0, 12, 24 (flush: 24); two columns per row
    assert rows_done == [(0, 24, 2), (24, 24, 4), (48, 32, 6)]


def test_progress_counts_every_tile_once():
    seen = []
    list(iter_tiled_strips(toy_model(), lr_image(37, 29), 4, 16, 4, 'cpu',
                           progress=lambda d, t: seen.append((d, t)), batch=4))
    assert seen == [(4, 9), (8, 9), (9, 9)]
