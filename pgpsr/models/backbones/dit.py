"""A prunable DiT denoiser for latent SR (U-ViT-style long skips, adaLN-zero).

Reference: Peebles & Xie, "Scalable Diffusion Models with Transformers" (ICCV 2023);
Bao et al., "All are Worth Words: A ViT Backbone for Diffusion Models" (CVPR 2023).
The LR condition is concatenated to the noisy latent along channels before patchifying.
"""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from pgpsr.registry import MODELS
from .base import PrunableBackbone, part_rows
from .timestep_embedding import TimestepEmbedding


def sincos_pos_embed(dim: int, h: int, w: int, device=None) -> torch.Tensor:
    """2-D sin-cos position embedding (h*w, dim), computed for any grid size."""
    assert dim % 4 == 0, 'DiT width must be a multiple of 4 for 2-D sin-cos embeddings'
    quarter = dim // 4
    omega = 1.0 / (10000 ** (torch.arange(quarter, dtype=torch.float32, device=device) / quarter))
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32, device=device),
                            torch.arange(w, dtype=torch.float32, device=device), indexing='ij')
    out = []
    for pos in (ys.reshape(-1), xs.reshape(-1)):
        ang = pos[:, None] * omega[None]
        out += [torch.sin(ang), torch.cos(ang)]
    return torch.cat(out, dim=1)


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * (1 + scale) + shift


class DiTBlock(nn.Module):
    """Pre-norm transformer block with adaLN-zero; decoder blocks fuse a long skip first."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0,
                 with_skip: bool = False) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'DiT width {dim} is not divisible by num_heads={num_heads}')
        self.num_heads = num_heads
        self.skip_linear = nn.Linear(2 * dim, dim) if with_skip else None
        self.norm1 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(approximate='tanh'),
                                 nn.Linear(hidden, dim))
        self.ada = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))
        nn.init.zeros_(self.ada[1].weight)
        nn.init.zeros_(self.ada[1].bias)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.num_heads, d // self.num_heads).permute(
            2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(b, n, d))

    def forward(self, x: torch.Tensor, c: torch.Tensor,
                skip: Optional[torch.Tensor] = None) -> torch.Tensor:
        if self.skip_linear is not None:
            x = self.skip_linear(torch.cat([x, skip], dim=-1))
        sh1, sc1, g1, sh2, sc2, g2 = self.ada(c)[:, None].chunk(6, dim=-1)
        x = x + g1 * self.attention(modulate(self.norm1(x), sh1, sc1))
        return x + g2 * self.mlp(modulate(self.norm2(x), sh2, sc2))


@MODELS.register_module()
class DiTDenoiser(PrunableBackbone):
    """DiT over a latent with the LR latent as extra input channels.

    Args:
        in_channels: Latent channels of ``x_t`` (and of ``cond``).
        cond_channels: Channels of the condition concatenated to ``x_t`` (0: none).
        out_channels: Channels predicted (defaults to ``in_channels``).
        patch_size: Patch side in latent pixels.
        hidden_size: Token width. num_heads: attention heads. mlp_ratio: MLP width ratio.
        depth: ``(encoder, bottleneck, decoder)`` block counts; decoder == encoder
            (one long skip per encoder block, U-ViT style).
        grad_checkpointing: Recompute block activations in backward to save memory.
    """

    def __init__(self, in_channels: int = 4, cond_channels: Optional[int] = None,
                 out_channels: Optional[int] = None, patch_size: int = 2,
                 hidden_size: int = 384, num_heads: int = 6, mlp_ratio: float = 4.0,
                 depth: Tuple[int, int, int] = (4, 2, 4),
                 grad_checkpointing: bool = False) -> None:
        super().__init__()
        n_enc, n_mid, n_dec = depth
        if n_enc != n_dec:
            raise ValueError(f'depth={tuple(depth)}: the decoder needs one block per encoder '
                             'block (long skips)')
        self.in_channels = in_channels
        self.cond_channels = in_channels if cond_channels is None else cond_channels
        self.out_channels = out_channels or in_channels
        self.patch_size = patch_size
        self.hidden_size = hidden_size
        self.grad_checkpointing = grad_checkpointing
        self.patch_embed = nn.Conv2d(in_channels + self.cond_channels, hidden_size,
                                     patch_size, stride=patch_size)
        self.t_embed = TimestepEmbedding(hidden_size)
        self.enc_blocks = nn.ModuleList(
            DiTBlock(hidden_size, num_heads, mlp_ratio) for _ in range(n_enc))
        self.mid_blocks = nn.ModuleList(
            DiTBlock(hidden_size, num_heads, mlp_ratio) for _ in range(n_mid))
        self.dec_blocks = nn.ModuleList(
            DiTBlock(hidden_size, num_heads, mlp_ratio, with_skip=True) for _ in range(n_dec))
        self.final_norm = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=1e-6)
        self.final_ada = nn.Sequential(nn.SiLU(), nn.Linear(hidden_size, 2 * hidden_size))
        self.final_linear = nn.Linear(hidden_size, patch_size * patch_size * self.out_channels)
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Linear) and m.weight.requires_grad:
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        w = self.patch_embed.weight
        nn.init.xavier_uniform_(w.view(w.shape[0], -1))
        for blk in [*self.enc_blocks, *self.mid_blocks, *self.dec_blocks]:
            nn.init.zeros_(blk.ada[1].weight)
            nn.init.zeros_(blk.ada[1].bias)
        for m in (self.final_ada[1], self.final_linear):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    @property
    def size_divisor(self) -> int:
        return self.patch_size

    def block_widths(self) -> Dict[str, int]:
        return {name: self.hidden_size for name, _, _, _ in self.block_table()}

    def block_table(self) -> List[Tuple[str, str, nn.ModuleList, int]]:
        return (part_rows('encoder', self.enc_blocks, 'encoder.{}'.format) +
                part_rows('bottleneck', self.mid_blocks, 'bottleneck.{}'.format) +
                part_rows('decoder', self.dec_blocks, 'decoder.{}'.format))

    def forward(self, x_t: torch.Tensor, t: torch.Tensor,
                cond: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Predict noise / v / x0 (per the model's config) for ``x_t`` at timesteps ``t``."""
        b, _, h, w = x_t.shape
        p = self.patch_size
        if h % p or w % p:
            raise ValueError(f'DiTDenoiser input {h}x{w} is not a multiple of patch_size={p}')
        x = torch.cat([x_t, cond], dim=1) if self.cond_channels else x_t
        x = self.patch_embed(x)
        gh, gw = x.shape[-2:]
        x = x.flatten(2).transpose(1, 2)
        x = x + sincos_pos_embed(self.hidden_size, gh, gw, x.device).to(x.dtype)[None]
        if t.dim() == 0:
            t = t.expand(b)
        c = self.t_embed(t.to(x.device))
        skips = []
        for blk in self.enc_blocks:
            x = self.run_block(blk, x, c)
            skips.append(x)
        for blk in self.mid_blocks:
            x = self.run_block(blk, x, c)
        for blk in self.dec_blocks:
            x = self.run_block(blk, x, c, skips.pop())
        shift, scale = self.final_ada(c)[:, None].chunk(2, dim=-1)
        x = self.final_linear(modulate(self.final_norm(x), shift, scale))
        x = x.view(b, gh, gw, p, p, self.out_channels).permute(0, 5, 1, 3, 2, 4)
        return x.reshape(b, self.out_channels, gh * p, gw * p)

