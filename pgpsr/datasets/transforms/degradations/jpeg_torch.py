"""Baseline JPEG (4:2:0, libjpeg quality tables) in torch, for whole batches on any device.

Each sample has its own quality. The pipeline is the codec's: RGB -> YCbCr, chroma
averaged 2x2, 8x8 DCT, quantisation by the quality-scaled standard tables, and back.
Entropy coding is lossless and skipped. Ref: ITU-T T.81 Annex K; Shin & Song,
"JPEG-resistant adversarial images" (DiffJPEG), which Real-ESRGAN uses for the same job.
"""
import math

import torch
import torch.nn.functional as F

_LUMA = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
         14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
         18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
         49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
_CHROMA = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
           24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99] + [99] * 32

_RGB2YCC = [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
_YCC2RGB = [[1.0, 0.0, 1.402], [1.0, -0.344136, -0.714136], [1.0, 1.772, 0.0]]


def quality_tables(quality: torch.Tensor) -> torch.Tensor:
    """Bx2x8x8 luma/chroma quantisation tables for per-sample qualities (libjpeg scaling)."""
    q = quality.clamp(1, 100).to(torch.float64).view(-1, 1, 1, 1)
    scale = torch.where(q < 50, 5000.0 / q, 200.0 - 2.0 * q)
    base = torch.tensor([_LUMA, _CHROMA], dtype=torch.float64, device=q.device).view(1, 2, 8, 8)
    return torch.floor((base * scale + 50) / 100).clamp(1, 255).to(torch.float32)


def _dct_matrix(device: torch.device) -> torch.Tensor:
    k = torch.arange(8, dtype=torch.float64, device=device)
    m = torch.cos((2 * k[None, :] + 1) * k[:, None] * math.pi / 16) / 2
    m[0] /= math.sqrt(2)
    return m.to(torch.float32)


def _quantise_plane(plane: torch.Tensor, table: torch.Tensor, dct: torch.Tensor) -> torch.Tensor:
    """DCT -> round(coef / table) * table -> IDCT on a Bx1xHxW plane (H, W multiples of 8)."""
    b, _, h, w = plane.shape
    blocks = plane.reshape(b, h // 8, 8, w // 8, 8).permute(0, 1, 3, 2, 4) - 128.0
    coef = dct @ blocks @ dct.T
    t = table.view(b, 1, 1, 8, 8)
    coef = torch.round(coef / t) * t
    out = dct.T @ coef @ dct + 128.0
    return out.permute(0, 1, 3, 2, 4).reshape(b, 1, h, w)


def jpeg_batch(x: torch.Tensor, quality: torch.Tensor) -> torch.Tensor:
    """JPEG-compress each sample of ``x`` (Bx3xHxW in [0, 1]) at its own quality."""
    b, _, h, w = x.shape
    ph, pw = (-h) % 16, (-w) % 16
    img = F.pad(x.float(), (0, pw, 0, ph), mode='replicate') * 255.0
    m = torch.tensor(_RGB2YCC, device=x.device)
    ycc = torch.einsum('ij,bjhw->bihw', m, img)
    ycc[:, 1:] += 128.0
    tables = quality_tables(quality.to(x.device))
    dct = _dct_matrix(x.device)
    y = _quantise_plane(ycc[:, :1], tables[:, 0], dct)
    chroma = F.avg_pool2d(ycc[:, 1:], 2)
    hc, wc = chroma.shape[-2:]
    cb = _quantise_plane(chroma[:, :1], tables[:, 1], dct)
    cr = _quantise_plane(chroma[:, 1:], tables[:, 1], dct)
    chroma = F.interpolate(torch.cat([cb, cr], 1), size=(2 * hc, 2 * wc), mode='bilinear',
                           align_corners=False)
    ycc = torch.cat([y.clamp(0, 255), chroma.clamp(0, 255) - 128.0], 1)
    rgb = torch.einsum('ij,bjhw->bihw', torch.tensor(_YCC2RGB, device=x.device), ycc)
    rgb = torch.round(rgb.clamp(0, 255))[..., :h, :w] / 255.0  # a decoder writes 8 bits
    return rgb.to(x.dtype)
