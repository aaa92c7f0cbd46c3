"""Tiled super-resolution: big images in bounded memory, without visible seams.

The LR image is cut into overlapping tiles; tiles go to the model's device ``batch`` at
a time (one forward for the batch: small tiles then cost one call, not one each), their
SR results come back to the CPU and are accumulated with a weight that ramps down
linearly inside the overlap, so neighbouring tiles cross-fade and no seam remains. Tiles
are seeded by their position, so a result depends neither on the tile order nor on the
batch.
"""
from typing import Callable, Iterator, List, Optional, Tuple

import torch

Sampler = Callable[[torch.Tensor, List[int]], torch.Tensor]


def tile_starts(length: int, tile: int, overlap: int) -> List[int]:
    """Tile origins along one axis: stride ``tile - overlap``, the last flush with the end."""
    if length <= tile:
        return [0]
    stride = tile - overlap
    if stride <= 0:
        raise ValueError(f'tile overlap {overlap} must be smaller than the tile {tile}')
    starts = list(range(0, length - tile, stride))
    return starts + [length - tile]


def ramp_window(h: int, w: int, ramp_h: int, ramp_w: int, edges: Tuple[bool, bool, bool, bool]
                ) -> torch.Tensor:
    """1xhxw blending weight: 1 inside, linear ramp over ``ramp`` px on interior edges.

    ``edges`` = (top, bottom, left, right) is True where a neighbour overlaps this tile;
    image borders keep weight 1 so the picture's own edges are not faded.
    """
    def axis(n, ramp, lo, hi):
        wgt = torch.ones(n)
        if ramp > 0:
            r = (torch.arange(ramp, dtype=torch.float32) + 0.5) / ramp
            if lo:
                wgt[:ramp] = torch.minimum(wgt[:ramp], r)
            if hi:
                wgt[-ramp:] = torch.minimum(wgt[-ramp:], r.flip(0))
        return wgt
    return (axis(h, ramp_h, edges[0], edges[1])[:, None] *
            axis(w, ramp_w, edges[2], edges[3])[None, :])[None]


def iter_tiles(h: int, w: int, tile: int, overlap: int
               ) -> Iterator[Tuple[int, int, int, int, Tuple[bool, bool, bool, bool]]]:
    ys, xs = tile_starts(h, tile, overlap), tile_starts(w, tile, overlap)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            yield y, x, min(tile, h), min(tile, w), (i > 0, i < len(ys) - 1, j > 0,
                                                       j < len(xs) - 1)


Strip = Tuple[int, torch.Tensor]  # (first SR row, 1xCxhxW float32 rows that are final)


def _check(tile: int, overlap: int, batch: int) -> None:
    if overlap * 2 > tile:
        raise ValueError(f'tile overlap {overlap} must be at most half the tile {tile}')
    if batch < 1:
        raise ValueError(f'tile batch must be at least 1, got {batch}')


@torch.no_grad()
def iter_tiled_strips(sample: Sampler, lr: torch.Tensor, scale: int, tile: int,
                      overlap: int, device: torch.device,
                      progress: Optional[Callable[[int, int], None]] = None,
                      batch: int = 1) -> Iterator[Strip]:
    """The tiled SR of a 1x3xHxW LR as finished horizontal strips, top to bottom.

    Host memory is bounded by one row of tiles: tiles accumulate into a buffer only as
    tall as the current tile row, and the rows no later tile touches (those above the
    next tile row's start) are divided by their weight and yielded at once. Tiles,
    seeds, batches and the order of the additions are those of the full-size blend, so
    the strips stacked are bitwise the same image.

    Args: as :func:`tiled_super_resolve`. Yields ``(y0, strip)``: the strip's first SR
    row and the 1xCxhx(sW) float32 rows ``y0 .. y0 + h``.
    """
    _, c, h, w = lr.shape
    _check(tile, overlap, batch)
    row_starts = tile_starts(h, tile, overlap) + [h]
    tiles = list(iter_tiles(h, w, tile, overlap))
    per_row = len(tiles) // (len(row_starts) - 1)
    th = min(tile, h) * scale
    top = 0  # the buffer holds SR rows top .. top + th of the current tile row
    out, weight = torch.zeros(1, c, th, w * scale), torch.zeros(1, 1, th, w * scale)
    for k in range(0, len(tiles), batch):
        chunk = tiles[k:k + batch]
        pieces = torch.cat([lr[..., y:y + t_h, x:x + t_w] for y, x, t_h, t_w, _ in chunk])
        seeds = [(y * 7919 + x) % (2 ** 31) for y, x, *_ in chunk]
        srs = sample(pieces.to(device), seeds).float().cpu()
        for n, ((y, x, t_h, t_w, edges), sr) in enumerate(zip(chunk, srs), start=k):
            wgt = ramp_window(t_h * scale, t_w * scale, overlap * scale, overlap * scale,
                              edges)
            xs = slice(x * scale, (x + t_w) * scale)
            out[..., xs] += sr * wgt
            weight[..., xs] += wgt
            if (n + 1) % per_row == 0:  # the last tile of its row: emit the final rows
                nxt = row_starts[(n + 1) // per_row] * scale
                done = nxt - top
                yield top, out[..., :done, :] / weight[..., :done, :].clamp_min(1e-8)
                out, weight = _carry(out, done), _carry(weight, done)
                top = nxt
        if progress is not None:
            progress(k + len(chunk), len(tiles))


def _carry(buf: torch.Tensor, done: int) -> torch.Tensor:
    """A fresh buffer of the same height whose head holds the rows after ``done``."""
    fresh = torch.zeros_like(buf)
    fresh[..., :buf.shape[-2] - done, :] = buf[..., done:, :]
    return fresh


@torch.no_grad()
def tiled_super_resolve(sample: Sampler, lr: torch.Tensor, scale: int, tile: int,
                        overlap: int, device: torch.device,
                        progress: Optional[Callable[[int, int], None]] = None,
                        batch: int = 1) -> torch.Tensor:
    """SR of a 1x3xHxW LR (CPU, [-1, 1]) tile by tile; returns 1x3x(sH)x(sW) on the CPU.

    The strips of :func:`iter_tiled_strips` stacked (for metrics on small images; big
    images should consume the strips instead).

    Args:
        sample: ``sample(lr_tiles_on_device, seeds) -> sr_tiles``: a batch of tiles (all
            the same size) and one seed per tile (the model's sampler).
        tile / overlap: LR tile side and overlap in LR pixels.
        progress: Called as ``progress(done, total)`` after each batch.
        batch: Tiles per call of ``sample``.
    """
    strips = [s for _, s in iter_tiled_strips(sample, lr, scale, tile, overlap, device,
                                              progress, batch)]
    return torch.cat(strips, dim=-2)
