"""Tile seams: does tiled SR leave visible edges where tiles meet?

A seam is a jump across the line where one tile's contribution starts or ends. For each
photo the model super-resolves tiled (its ``test_cfg`` tile and overlap) and untiled;
on every SR row and column where a tile begins or ends, the mean absolute difference
between the pixels on either side of that line is taken relative to the image's mean
absolute neighbour difference. Untiled, those lines are ordinary image positions, so
``tiled / untiled`` near 1 means no seam; a visible seam makes it clearly larger.
"""
from typing import Dict, Iterable, List, Tuple

import numpy as np
import torch

from pgpsr.models.tiling import tile_starts


def seam_lines(length: int, tile: int, overlap: int, scale: int) -> List[int]:
    """SR coordinates where a tile's contribution begins or ends (image borders excluded)."""
    lines = set()
    for s in tile_starts(length, tile, overlap):
        lines.update({s * scale, (s + min(tile, length)) * scale})
    return sorted(c for c in lines if 0 < c < length * scale)


def line_energy(img: np.ndarray, rows: Iterable[int], cols: Iterable[int]) -> float:
    """Mean |difference across| the given lines / mean |neighbour difference| (HxWxC)."""
    x = img.astype(np.float64)
    dy, dx = np.abs(np.diff(x, axis=0)), np.abs(np.diff(x, axis=1))
    across = [dy[r - 1].mean() for r in rows] + [dx[:, c - 1].mean() for c in cols]
    return float(np.mean(across) / ((dy.mean() + dx.mean()) / 2))


def _sr(model, lr: np.ndarray, tile) -> np.ndarray:
    t = torch.from_numpy(lr).permute(2, 0, 1)[None].float() / 127.5 - 1
    with torch.no_grad():
        sr = model.sample_any_size(t, tile=tile)
    return ((sr[0].permute(1, 2, 0).numpy() + 1) * 127.5).clip(0, 255)


def seam_report(model, photos: Iterable[Tuple[str, np.ndarray]]) -> Dict:
    """Per photo: seam energy tiled and untiled at the same lines, and their ratio."""
    tile, overlap = model.test_cfg.get('tile'), model.test_cfg.get('tile_overlap', 8)
    if not tile:
        raise ValueError('seam_report: the model does not tile (test_cfg.tile is None)')
    rows = {}
    for name, lr in photos:
        h, w = lr.shape[:2]
        lines = (seam_lines(h, tile, overlap, model.scale),
                 seam_lines(w, tile, overlap, model.scale))
        tiled = line_energy(_sr(model, lr, tile), *lines)
        untiled = line_energy(_sr(model, lr, 0), *lines)
        rows[name] = dict(tiled=tiled, untiled=untiled, ratio=tiled / untiled)
    ratios = [r['ratio'] for r in rows.values()]
    return dict(per_image=rows, mean_ratio=float(np.mean(ratios)),
                max_ratio=float(np.max(ratios)), tile=tile, overlap=overlap)
