"""Colour correction of an SR result against its LR input, on the whole image.

Diffusion SR models drift in colour; the fix takes the low frequencies (wavelet) or the
per-channel statistics (AdaIN) from the bicubic upsampling of the LR. It is applied to the
whole image, never per tile: statistics of a flat tile are degenerate (the reference
code's users saw uniform tiles blow up). Ref: StableSR (Wang et al., 2023), OSEDiff.
"""
import torch
import torch.nn.functional as F

COLOR_FIXES = ('none', 'wavelet', 'adain', 'adain_lr')


def adain_fix(sr: torch.Tensor, ref: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Match each channel's mean and std of ``sr`` to ``ref`` (both BxCxHxW)."""
    s_mean, s_std = sr.mean((-2, -1), keepdim=True), sr.std((-2, -1), keepdim=True)
    r_mean, r_std = ref.mean((-2, -1), keepdim=True), ref.std((-2, -1), keepdim=True)
    return (sr - s_mean) / (s_std + eps) * r_std + r_mean


def _blur(x: torch.Tensor, radius: int) -> torch.Tensor:
    k = torch.tensor([[1 / 16, 1 / 8, 1 / 16], [1 / 8, 1 / 4, 1 / 8], [1 / 16, 1 / 8, 1 / 16]],
                     dtype=x.dtype, device=x.device).expand(x.shape[1], 1, 3, 3)
    # replicate: StableSR's and OSEDiff's wavelet_blur pad so
    return F.conv2d(F.pad(x, (radius,) * 4, mode='replicate'), k, groups=x.shape[1],
                    dilation=radius)


def wavelet_low(x: torch.Tensor, levels: int = 5) -> torch.Tensor:
    """Low-frequency part after ``levels`` dilated (a-trous) blur levels."""
    for i in range(levels):
        x = _blur(x, 2 ** i)
    return x


def wavelet_fix(sr: torch.Tensor, ref: torch.Tensor, levels: int = 5) -> torch.Tensor:
    """High frequencies of ``sr`` + low frequencies of ``ref``."""
    return sr - wavelet_low(sr, levels) + wavelet_low(ref, levels)


def color_fix(sr: torch.Tensor, lr: torch.Tensor, method: str) -> torch.Tensor:
    """Fix ``sr`` (Bx3x(sH)x(sW), [-1, 1]) against ``lr`` by ``method`` (see COLOR_FIXES):
    ``adain`` / ``wavelet`` against the bicubic upscale (OSEDiff), ``adain_lr`` against the
    LR's own per-channel statistics (AdcSR's test.py)."""
    if method not in COLOR_FIXES:
        raise ValueError(f'color fix must be one of {COLOR_FIXES}, got {method!r}')
    if method == 'none':
        return sr
    if method == 'adain_lr':  # AdcSR's test.py: the statistics of the LR itself
        fixed = adain_fix(sr.float(), lr.float(), eps=0.0)
        return fixed.clamp(-1, 1).to(sr.dtype)
    ref = F.interpolate(lr.float(), size=sr.shape[-2:], mode='bicubic', align_corners=False)
    fixed = adain_fix(sr.float(), ref) if method == 'adain' else wavelet_fix(sr.float(), ref)
    return fixed.clamp(-1, 1).to(sr.dtype)
