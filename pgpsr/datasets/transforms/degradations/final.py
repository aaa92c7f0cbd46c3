"""Real-ESRGAN's last step: resize to GT/scale + sinc filter, and JPEG, in random order."""
import math
from typing import Sequence

import numpy as np
import torch

from pgpsr.registry import TRANSFORMS
from .base import HW, DegradationStep, Params
from .blur import filter2d_batch, filter2d_image
from .jpeg import jpeg_image
from .jpeg_torch import jpeg_batch
from .kernels import PAD_TO, circular_lowpass_kernel
from .resize import check_modes, resize_batch, resize_image


@TRANSFORMS.register_module()
class RandomFinalResizeSincJPEG(DegradationStep):
    """Resize to exactly ``GT / scale`` (+ a sinc filter with ``sinc_prob``) and JPEG.

    Half the time the resize+sinc comes first, half the time the JPEG (Real-ESRGAN).
    The result is rounded to 8 bits. The output is the LR of the training pair.

    Args:
        scale: SR factor. sinc_prob: Probability of the final sinc (ringing) filter.
        quality_range: JPEG quality, integers inclusive. modes / mode_probs: resize modes.
        kernel_sizes: Odd sinc sizes; cut-off drawn in [pi/3, pi].
    """

    def __init__(self, scale: int = 4, sinc_prob: float = 0.8,
                 quality_range: Sequence[int] = (30, 95),
                 modes: Sequence[str] = ('area', 'bilinear', 'bicubic'),
                 mode_probs: Sequence[float] = (1 / 3, 1 / 3, 1 / 3),
                 kernel_sizes: Sequence[int] = tuple(range(7, 22, 2)),
                 quantize: bool = True, **kwargs) -> None:
        if kwargs.get('prob', 1.0) != 1.0:
            raise ValueError(f'{type(self).__name__} always runs: it sets the LR size')
        super().__init__(quantize=quantize, **kwargs)
        check_modes(type(self).__name__, modes, mode_probs)
        self.scale, self.sinc_prob = int(scale), sinc_prob
        self.quality_range = (int(quality_range[0]), int(quality_range[1]))
        self.modes, self.mode_probs = tuple(modes), tuple(mode_probs)
        self.kernel_sizes = tuple(kernel_sizes)

    def sample(self, rng: np.random.Generator, hw: HW, gt_hw: HW) -> Params:
        if gt_hw[0] % self.scale or gt_hw[1] % self.scale:
            raise ValueError(f'{type(self).__name__}: GT {gt_hw[0]}x{gt_hw[1]} is not a '
                             f'multiple of scale={self.scale}')
        kernel = np.zeros((PAD_TO, PAD_TO), np.float64)
        kernel[PAD_TO // 2, PAD_TO // 2] = 1.0  # identity when no sinc is drawn
        if rng.random() < self.sinc_prob:
            kernel = circular_lowpass_kernel(float(rng.uniform(math.pi / 3, math.pi)),
                                             int(rng.choice(self.kernel_sizes)), PAD_TO)
        mp = np.asarray(self.mode_probs, dtype=np.float64)
        return dict(jpeg_first=bool(rng.random() < 0.5), kernel=kernel,
                    mode=str(rng.choice(list(self.modes), p=mp / mp.sum())),
                    quality=int(rng.integers(self.quality_range[0], self.quality_range[1] + 1)),
                    size=(gt_hw[0] // self.scale, gt_hw[1] // self.scale))

    def apply(self, img: np.ndarray, params: Params, rng: np.random.Generator) -> np.ndarray:
        def resize_sinc(x):
            x = np.clip(resize_image(x, params['size'], params['mode']), 0, 1)
            return filter2d_image(x, params['kernel'])

        if params['jpeg_first']:
            return resize_sinc(jpeg_image(img, params['quality']))
        return jpeg_image(np.clip(resize_sinc(img), 0, 1), params['quality'])

    def apply_batch(self, x: torch.Tensor, params: Sequence[Params],
                    gen: torch.Generator) -> torch.Tensor:
        size = params[0]['size']
        quality = torch.tensor([p['quality'] for p in params], device=x.device)
        kernels = torch.from_numpy(np.stack([p['kernel'] for p in params]).astype(np.float32))
        first = torch.tensor([p['jpeg_first'] for p in params], device=x.device).view(-1, 1, 1, 1)

        def resize_sinc(t):
            t = torch.cat([resize_batch(t[i:i + 1], size, p['mode'])
                           for i, p in enumerate(params)])
            return filter2d_batch(t, kernels.to(x.device))

        a = resize_sinc(jpeg_batch(x, quality)) if first.any() else None
        b = jpeg_batch(resize_sinc(x).clamp(0, 1), quality) if not first.all() else None
        out = a if b is None else b if a is None else torch.where(first, a, b)
        return torch.round(out.clamp(0, 1) * 255) / 255
