"""What every SR model here shares at test time: tiled sampling and mmagic predictions.

A model provides ``sample(lr, seed=None)`` (LR batch in [-1, 1] -> SR in [-1, 1]),
``scale`` and a data preprocessor, and sets ``test_cfg`` with ``merge_test_cfg`` (the
shared keys ``tile``, ``tile_overlap``, ``tile_batch``, ``seed``, ``color_fix`` plus
its own); this mixin
gives it ``sample_any_size`` and ``predict`` for tools/test.py, infer.py and benchmark.py.
"""
from functools import partial
from typing import Callable, Dict, Iterator, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmagic.structures import DataSample

from ..color_fix import COLOR_FIXES, color_fix
from ..color_fix_strips import color_fix_strips
from ..tiling import Strip, iter_tiled_strips, tiled_super_resolve

#: test_cfg keys every SR model has: LR tile size and overlap (None: whole image), tiles
#: per forward, the sampling seed, and the colour fix applied to the whole result
#: ('none', 'wavelet', 'adain', 'adain_lr')
SHARED_TEST_CFG = dict(tile=None, tile_overlap=8, tile_batch=1, seed=0, color_fix='none')

#: SR rows per strip when an untiled result is streamed (bounds the colour fix's buffers)
UNTILED_STRIP_ROWS = 256


def merge_config(defaults: Dict, given: Optional[Dict], owner: str) -> Dict:
    """``defaults`` updated with ``given``; an unknown key is a KeyError naming it."""
    given = dict(given or {})
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise KeyError(f'{owner}: unknown key(s) {unknown}; valid keys are '
                       f'{sorted(defaults)}')
    return {**defaults, **given}


class SRPredictMixin:
    lr_size_divisor = 1  # models whose input grid needs multiples override this

    @property
    def deterministic_sampling(self) -> bool:
        """True when ``sample`` ignores its seed (one step, no noise): tiles of a batch
        then share one call; otherwise each tile is sampled with its own seed."""
        return True

    def merge_test_cfg(self, test_cfg: Optional[Dict], own: Optional[Dict] = None) -> Dict:
        """The model's test_cfg: shared keys + ``own`` defaults, updated by ``test_cfg``."""
        cfg = merge_config({**SHARED_TEST_CFG, **(own or {})}, test_cfg,
                           f'{type(self).__name__}.test_cfg')
        if cfg['color_fix'] not in COLOR_FIXES:
            raise ValueError(f'{type(self).__name__}.test_cfg.color_fix must be one of '
                             f'{COLOR_FIXES}, got {cfg["color_fix"]!r}')
        return cfg

    def pad_lr(self, lr: torch.Tensor) -> torch.Tensor:
        """Pad LR sides up to ``lr_size_divisor`` (reflect; replicate when too small)."""
        d = self.lr_size_divisor
        h, w = lr.shape[-2:]
        ph, pw = (-h) % d, (-w) % d
        if ph or pw:
            mode = 'reflect' if ph < h and pw < w else 'replicate'
            lr = F.pad(lr, (0, pw, 0, ph), mode=mode)
        return lr

    def check_training_pair(self, lr: torch.Tensor, gt: torch.Tensor) -> None:
        """Training pairs are not padded as test images are (the GT would need the same
        padding): refuse an LR crop that is not a multiple of ``lr_size_divisor`` or a GT
        that is not ``scale`` x the LR, naming the crop sizes that fit."""
        d, s = self.lr_size_divisor, self.scale
        (h, w), (gh, gw) = lr.shape[-2:], gt.shape[-2:]
        if h % d or w % d:
            raise ValueError(f'{type(self).__name__} training LR crops must be multiples of '
                             f'{d} px (got {h}x{w}); set the GT crop size to a multiple of '
                             f'{d * s}')
        if (gh, gw) != (h * s, w * s):
            raise ValueError(f'{type(self).__name__} training GT {gh}x{gw} is not {s}x its '
                             f'LR {h}x{w}')

    def forward_inference(self, inputs: Union[torch.Tensor, Dict], data_samples,
                          mode: str) -> Union[torch.Tensor, List[DataSample]]:
        """The ``tensor`` / ``predict`` modes of ``forward``, shared by every SR model."""
        if isinstance(inputs, dict):
            inputs = inputs['img']
        if mode == 'tensor':
            return self.sample_any_size(inputs)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise ValueError(f"{type(self).__name__}.forward: mode must be 'tensor' or 'predict' "
                         f'at inference, got {mode!r}')

    def inference_module(self) -> torch.nn.Module:
        """What runs at test time (deployed parameters are counted on it): the model
        itself, or a part of it (AdcSR: the student, without teacher and discriminator)."""
        return self

    def sample_any_size(self, lr: torch.Tensor, seed: Optional[int] = None,
                        tile: Optional[int] = None, tile_overlap: Optional[int] = None,
                        progress: Optional[Callable[[int, int], None]] = None,
                        color: Optional[str] = None) -> torch.Tensor:
        """``sample`` on the model's device, returned on ``lr``'s device.

        Tiled per image when the LR is bigger than ``tile`` (default ``test_cfg.tile``):
        tiles go to the model's device one at a time and are blended on the CPU, so a
        big image given on the CPU never sits whole on the accelerator. The colour fix
        (``color``, default ``test_cfg.color_fix``) then runs once on the whole result.
        """
        method, tile, overlap, base = self._any_size_settings(seed, tile, tile_overlap, color)
        device = next(self.parameters()).device
        if not tile or max(lr.shape[-2:]) <= tile:
            sr = self.sample(lr.to(device), seed=base).to(lr.device)
        else:
            batch = self.test_cfg.get('tile_batch', 1)
            sr = torch.cat([tiled_super_resolve(partial(self._sample_tiles, base),
                                                img[None].cpu(), self.scale, tile, overlap,
                                                device, progress, batch)
                            for img in lr]).to(lr.device)
        return color_fix(sr.float(), lr.float(), method) if method != 'none' else sr

    def iter_any_size_strips(self, lr: torch.Tensor, seed: Optional[int] = None,
                             tile: Optional[int] = None, tile_overlap: Optional[int] = None,
                             progress: Optional[Callable[[int, int], None]] = None,
                             color: Optional[str] = None,
                             spool_dir: Optional[str] = None) -> Iterator[Strip]:
        """``sample_any_size`` of one 1x3xHxW LR as ``(y0, strip)`` pairs on the CPU, top
        to bottom, colour-fixed strip by strip: no full-size float image is ever held
        when tiling (a big photo costs only its output buffer; see tiling.py and
        color_fix_strips.py). ``spool_dir``: AdaIN's temporary file (default: the
        system's). Lazy: the model runs as the strips are consumed.
        """
        if lr.shape[0] != 1:
            raise ValueError(f'iter_any_size_strips takes one image, got a batch of {lr.shape[0]}')
        method, tile, overlap, base = self._any_size_settings(seed, tile, tile_overlap, color)
        device = next(self.parameters()).device
        lr = lr.cpu()
        if not tile or max(lr.shape[-2:]) <= tile:
            strips = self._untiled_strips(lr, base, device)
        else:
            strips = iter_tiled_strips(partial(self._sample_tiles, base), lr, self.scale, tile,
                                       overlap, device, progress,
                                       self.test_cfg.get('tile_batch', 1))
        return color_fix_strips(strips, lr.float(), self.scale, method, spool_dir)

    def _untiled_strips(self, lr: torch.Tensor, base: int, device) -> Iterator[Strip]:
        sr = self.sample(lr.to(device), seed=base).cpu()
        for y in range(0, sr.shape[-2], UNTILED_STRIP_ROWS):
            yield y, sr[..., y:y + UNTILED_STRIP_ROWS, :]

    def _any_size_settings(self, seed: Optional[int], tile: Optional[int],
                           overlap: Optional[int], color: Optional[str]
                           ) -> Tuple[str, Optional[int], int, int]:
        """(colour fix, tile, overlap, seed): the arguments given, else test_cfg's."""
        cfg = self.test_cfg
        return (cfg.get('color_fix', 'none') if color is None else color,
                cfg.get('tile') if tile is None else tile,
                cfg.get('tile_overlap', 8) if overlap is None else overlap,
                cfg.get('seed', 0) if seed is None else seed)

    def _sample_tiles(self, base: int, tiles: torch.Tensor, seeds: List[int]) -> torch.Tensor:
        if self.deterministic_sampling:
            return self.sample(tiles, seed=base + seeds[0])
        return torch.cat([self.sample(t[None], seed=base + s) for t, s in zip(tiles, seeds)])

    def predict(self, inputs: torch.Tensor, data_samples: DataSample) -> List[DataSample]:
        sr = self.sample_any_size(inputs)
        sr = self.data_preprocessor.destruct(sr, data_samples)
        lr = self.data_preprocessor.destruct(inputs, data_samples, 'img')
        data_samples.set_tensor_data({'input': lr})
        predictions = DataSample(pred_img=sr.cpu()).split()
        samples = data_samples.split()
        for sample, pred in zip(samples, predictions):
            sample.output = pred
        return samples
