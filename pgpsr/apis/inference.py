"""Inference on arrays (notebooks) and the model loading shared by the tools."""
from typing import Callable, Optional

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint

from pgpsr import register_all_modules
from pgpsr.datasets.png_canvas import PngCanvas
from pgpsr.datasets.png_stream import PngStream
from pgpsr.registry import MODELS
from pgpsr.utils.pretrained import require_local_path


def init_model(config, checkpoint: Optional[str] = None, device: str = 'cpu'):
    """Model from a config (path or Config) and optional checkpoint, in eval mode.

    Pruned checkpoints rebuild their architecture from their own state dict.
    """
    register_all_modules()
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        ckpt = require_local_path(checkpoint, 'checkpoint')
        load_checkpoint(model, ckpt, map_location='cpu', strict=True, logger='silent')
    return model.to(device).eval()


def checkpoint_of(cfg, given: Optional[str]) -> Optional[str]:
    """The checkpoint a tool loads: the one given, else the config's own ``load_from``;
    None only for a config that says every weight is in it (``weights_in_config``, e.g.
    the converted OSEDiff teacher). Anything else is a ValueError naming the choices."""
    path = given or cfg.get('load_from')
    if path:
        return require_local_path(path, 'checkpoint' if given else "the config's load_from")
    if cfg.get('weights_in_config'):
        return None
    raise ValueError('no checkpoint: give CHECKPOINT, or use a config that names its '
                     'weights (load_from, or weights_in_config = True)')


def _to_tensor(img: np.ndarray) -> torch.Tensor:
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f'expected an HxWx3 RGB array, got shape {img.shape}')
    # one float copy, then in place (the same arithmetic as x / 255 * 2 - 1): a big
    # photo's LR costs 12 bytes a pixel per copy
    x = torch.from_numpy(np.array(img, dtype=np.float32, order='C', copy=True))
    if img.dtype == np.uint8:
        x.div_(255.0)
    return x.mul_(2).sub_(1).permute(2, 0, 1)[None]


@torch.no_grad()
def super_resolve_float(model, rgb: np.ndarray, tile: Optional[int] = None,
                        tile_overlap: Optional[int] = None, color: Optional[str] = None,
                        precision: str = 'fp32', seed: Optional[int] = None,
                        progress: Optional[Callable[[int, int], None]] = None) -> np.ndarray:
    """HxWx3 RGB (uint8, or float in [0, 1]) -> (sH)x(sW)x3 float32 RGB in [0, 1].

    Args:
        tile / tile_overlap: LR tile size and overlap (default: the model's test_cfg);
            tiles go to the model's device one at a time, the result stays on the CPU.
        color: 'none' | 'wavelet' | 'adain' | 'adain_lr', applied to the whole image
            (default: the model's ``test_cfg.color_fix``).
        precision: 'fp32' | 'fp16' | 'bf16' autocast for the model.
    """
    from pgpsr.evaluation.efficiency import autocast
    lr = _to_tensor(rgb)
    with autocast(next(model.parameters()).device, precision):
        sr = model.sample_any_size(lr, seed, tile, tile_overlap, progress, color).float()
    return ((sr[0].permute(1, 2, 0).numpy() + 1) / 2).clip(0, 1)


def super_resolve(model, img: np.ndarray, seed: Optional[int] = None, **kwargs) -> np.ndarray:
    """HxWx3 RGB uint8 (or float in [0, 1]) -> (scale*H)x(scale*W)x3 RGB uint8."""
    out = super_resolve_float(model, img, seed=seed, **kwargs)
    return np.rint(out * 255).astype(np.uint8)


@torch.no_grad()
def fill_rows(sink, model, rgb: np.ndarray, alpha: Optional[np.ndarray] = None,
              tile: Optional[int] = None, tile_overlap: Optional[int] = None,
              color: Optional[str] = None, precision: str = 'fp32',
              seed: Optional[int] = None,
              progress: Optional[Callable[[int, int], None]] = None,
              spool_dir: Optional[str] = None) -> None:
    """``super_resolve_float`` of ``rgb`` (and the upscaled ``alpha``) handed to
    ``sink.put_rows(y0, rgb_rows, alpha_rows)`` 64 rows at a time, top to bottom: the
    model runs strip by strip (``pgpsr.models.tiling`` / ``color_fix_strips``), so no
    full-size float image exists; the sink quantises with ``write_png``'s rounding.
    Arguments as ``super_resolve_float``; ``spool_dir``: AdaIN's temporary file.
    """
    from pgpsr.evaluation.efficiency import autocast
    lr, s = _to_tensor(rgb), model.scale
    with autocast(next(model.parameters()).device, precision):
        for y0, strip in model.iter_any_size_strips(lr, seed, tile, tile_overlap, progress,
                                                    color, spool_dir):
            for r in range(0, strip.shape[-2], 64):  # numpy temporaries of 64 rows at most
                rows = strip[0, :, r:r + 64].float().permute(1, 2, 0).numpy()
                a = None if alpha is None else upscale_alpha_rows(
                    alpha, s, y0 + r, y0 + r + rows.shape[0])
                sink.put_rows(y0 + r, ((rows + 1) / 2).clip(0, 1), a)


def super_resolve_to_canvas(model, rgb: np.ndarray, alpha: Optional[np.ndarray] = None,
                            bit_depth: int = 8, **kwargs) -> PngCanvas:
    """The quantised 8/16-bit output in memory (:func:`fill_rows` into a PngCanvas):
    the pixels of ``write_png`` of ``super_resolve_float``, the output's own bytes and a
    few strips of host memory. Keyword arguments as :func:`fill_rows`."""
    s = model.scale
    canvas = PngCanvas(rgb.shape[0] * s, rgb.shape[1] * s, alpha is not None, bit_depth)
    fill_rows(canvas, model, rgb, alpha, **kwargs)
    return canvas


def super_resolve_to_png(model, rgb: np.ndarray, path: str,
                         alpha: Optional[np.ndarray] = None, bit_depth: int = 8,
                         **kwargs) -> None:
    """:func:`super_resolve_to_canvas`'s pixels streamed to the PNG at ``path`` band by
    band (:class:`PngStream`): host memory is bounded by the tile row and does not grow
    with the photo. Nothing is left under ``path`` if it fails. Keyword arguments as
    :func:`fill_rows`."""
    s = model.scale
    with PngStream(path, rgb.shape[0] * s, rgb.shape[1] * s, alpha is not None,
                   bit_depth) as png:
        fill_rows(png, model, rgb, alpha, **kwargs)


def upscale_alpha_rows(alpha: np.ndarray, scale: int, r0: int, r1: int) -> np.ndarray:
    """Rows ``r0 .. r1`` of :func:`upscale_alpha`, from an alpha band with a 3-row halo
    (bicubic reads 2 rows either side), so a big alpha is never upscaled whole."""
    a, b = max(0, r0 // scale - 3), min(alpha.shape[0], -(-r1 // scale) + 3)
    return upscale_alpha(alpha[a:b], scale)[r0 - a * scale:r1 - a * scale]


def upscale_alpha(alpha: np.ndarray, scale: int) -> np.ndarray:
    """An alpha channel (HxW float in [0, 1]) upscaled on its own (bicubic, clipped)."""
    h, w = alpha.shape
    return cv2.resize(alpha, (w * scale, h * scale), interpolation=cv2.INTER_CUBIC).clip(0, 1)

