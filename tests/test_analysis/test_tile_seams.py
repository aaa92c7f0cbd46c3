"""The tile-seam measure: lines at tile edges, ~1 for seamless tiling, clearly above 1
for hard seams (tiles whose colour level differs, no cross-fade)."""
import cv2
import pytest
import torch
import torch.nn.functional as F
from skimage import data

from pgpsr.analysis.tile_seams import seam_lines, seam_report
from pgpsr.models.tiling import tiled_super_resolve


def test_seam_lines_are_the_inner_tile_edges():
    assert seam_lines(40, 16, 4, 4) == [48, 64, 96, 112]
    assert seam_lines(12, 16, 4, 4) == []  # one tile: no seam


class BicubicTiler:
    """A stand-in SR model: bicubic x4, tiled like the real ones; ``step`` adds a
    different level to every tile (what a seam looks like)."""
    scale = 4

    def __init__(self, overlap, step):
        self.test_cfg = dict(tile=16, tile_overlap=overlap)
        self.step = step

    def _sample(self, x, seeds):
        up = F.interpolate(x, scale_factor=4, mode='bicubic', align_corners=False)
        return up + self.step * torch.tensor([s % 7 for s in seeds]).view(-1, 1, 1, 1)

    def sample_any_size(self, lr, tile=None):
        if not tile:
            return self._sample(lr, [0])
        return tiled_super_resolve(self._sample, lr, 4, tile,
                                   self.test_cfg['tile_overlap'], 'cpu')


@pytest.fixture(scope='module')
def photos():
    return [(n, cv2.resize(getattr(data, n)(), (48, 40), interpolation=cv2.INTER_AREA))
            for n in ('astronaut', 'coffee')]


def test_seamless_tiling_measures_about_one(photos):
    report = seam_report(BicubicTiler(overlap=4, step=0.0), photos)
    assert 0.8 < report['mean_ratio'] < 1.2, report


def test_hard_seams_are_measured(photos):
    report = seam_report(BicubicTiler(overlap=0, step=0.02), photos)
    assert report['mean_ratio'] > 2, report
