"""PSNR and SSIM on the Y channel, MATLAB convention (the numbers SR papers report).

Reference: Wang et al., "Image Quality Assessment: From Error Visibility to Structural
Similarity" (TIP 2004). Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255 (BT.601,
MATLAB ``rgb2ycbcr``), images in [0, 255], ``crop_border`` pixels removed on each side.
"""
import cv2
import numpy as np


def rgb_to_y(img: np.ndarray) -> np.ndarray:
    """HxWx3 RGB in [0, 255] -> HxW luma in [16, 235] (float64)."""
    img = img.astype(np.float64)
    return 16.0 + (65.481 * img[..., 0] + 128.553 * img[..., 1] + 24.966 * img[..., 2]) / 255.0


def _prepare(img: np.ndarray, crop_border: int, to_y: bool,
             round_y: bool = False) -> np.ndarray:
    img = np.asarray(img, dtype=np.float64)
    if img.ndim == 3 and img.shape[2] == 3 and to_y:
        img = rgb_to_y(img)
        if round_y:  # pyiqa's SSIM (and MATLAB's uint8 rgb2ycbcr) score integral Y
            img = np.round(img)
    if crop_border:
        img = img[crop_border:-crop_border, crop_border:-crop_border]
    return img


def psnr(gt: np.ndarray, pred: np.ndarray, crop_border: int = 0, to_y: bool = True) -> float:
    """PSNR in dB of two HxWx3 RGB images in [0, 255]."""
    if gt.shape != pred.shape:
        raise ValueError(f'PSNR: shapes differ, gt {gt.shape} vs pred {pred.shape}')
    a, b = _prepare(gt, crop_border, to_y), _prepare(pred, crop_border, to_y)
    mse = np.mean((a - b) ** 2)
    return float('inf') if mse == 0 else float(10.0 * np.log10(255.0 ** 2 / mse))


def _ssim_single(a: np.ndarray, b: np.ndarray) -> float:
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    kernel = cv2.getGaussianKernel(11, 1.5)
    window = np.outer(kernel, kernel.transpose())
    f = lambda x: cv2.filter2D(x, -1, window)[5:-5, 5:-5]  # noqa: E731 ('valid' region)
    mu1, mu2 = f(a), f(b)
    s1, s2, s12 = f(a * a) - mu1 ** 2, f(b * b) - mu2 ** 2, f(a * b) - mu1 * mu2
    ssim_map = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1 ** 2 + mu2 ** 2 + c1) *
                                                          (s1 + s2 + c2))
    return float(ssim_map.mean())


def ssim(gt: np.ndarray, pred: np.ndarray, crop_border: int = 0, to_y: bool = True,
         round_y: bool = False) -> float:
    """SSIM (11x11 gaussian, sigma 1.5) of two HxWx3 RGB images in [0, 255]; ``round_y``
    rounds Y to integers first (pyiqa's ``ssim`` with ``color_space='ycbcr'``)."""
    if gt.shape != pred.shape:
        raise ValueError(f'SSIM: shapes differ, gt {gt.shape} vs pred {pred.shape}')
    a = _prepare(gt, crop_border, to_y, round_y)
    b = _prepare(pred, crop_border, to_y, round_y)
    if min(a.shape[:2]) < 11:
        raise ValueError(f'SSIM needs at least 11x11 pixels after the border crop, got '
                         f'{a.shape[:2]}')
    if a.ndim == 2:
        return _ssim_single(a, b)
    return float(np.mean([_ssim_single(a[..., i], b[..., i]) for i in range(a.shape[2])]))
