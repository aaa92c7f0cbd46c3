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


@torch.no_grad()
def tiled_super_resolve(sample: Sampler, lr: torch.Tensor, scale: int, tile: int,
                        overlap: int, device: torch.device,
                        progress: Optional[Callable[[int, int], None]] = None,
                        batch: int = 1) -> torch.Tensor:
    """SR of a 1x3xHxW LR (CPU, [-1, 1]) tile by tile; returns 1x3x(sH)x(sW) on the CPU.

    Args:
        sample: ``sample(lr_tiles_on_device, seeds) -> sr_tiles``: a batch of tiles (all
            the same size) and one seed per tile (the model's sampler).
        tile / overlap: LR tile side and overlap in LR pixels.
        progress: Called as ``progress(done, total)`` after each batch.
        batch: Tiles per call of ``sample``.
    """
    _, c, h, w = lr.shape
    if overlap * 2 > tile:
        raise ValueError(f'tile overlap {overlap} must be at most half the tile {tile}')
    if batch < 1:
        raise ValueError(f'tile batch must be at least 1, got {batch}')
    out = torch.zeros(1, c, h * scale, w * scale)
    weight = torch.zeros(1, 1, h * scale, w * scale)
    tiles = list(iter_tiles(h, w, tile, overlap))
    for k in range(0, len(tiles), batch):
        chunk = tiles[k:k + batch]
        pieces = torch.cat([lr[..., y:y + th, x:x + tw] for y, x, th, tw, _ in chunk])
        seeds = [(y * 7919 + x) % (2 ** 31) for y, x, *_ in chunk]
        srs = sample(pieces.to(device), seeds).float().cpu()
        for (y, x, th, tw, edges), sr in zip(chunk, srs):
            wgt = ramp_window(th * scale, tw * scale, overlap * scale, overlap * scale, edges)
            ys, xs = slice(y * scale, (y + th) * scale), slice(x * scale, (x + tw) * scale)
            out[..., ys, xs] += sr * wgt
            weight[..., ys, xs] += wgt
        if progress is not None:
            progress(k + len(chunk), len(tiles))
    return out / weight.clamp_min(1e-8)
