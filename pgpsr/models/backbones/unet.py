"""A prunable SD-style UNet denoiser built from diffusers' blocks.

Reference: Rombach et al., "High-Resolution Image Synthesis with Latent Diffusion Models"
(CVPR 2022); block-level pruning units as in BK-SDM (Kim et al., 2023). Each unit is one
``ResnetBlock2D`` (+ a self-attention ``Transformer2DModel`` at levels with attention);
every encoder unit leaves one skip, consumed by its mirror decoder unit. Text
cross-attention is off: the LR latent enters by channel concatenation.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from diffusers.models.downsampling import Downsample2D
from diffusers.models.resnet import ResnetBlock2D
from diffusers.models.transformers.transformer_2d import Transformer2DModel
from diffusers.models.upsampling import Upsample2D
from torch import nn

from pgpsr.registry import MODELS
from .base import PrunableBackbone, part_rows
from .timestep_embedding import TimestepEmbedding


class UNetUnit(nn.Module):
    """ResNet (+ self-attention) unit; decoder units first concatenate their skip."""

    def __init__(self, in_ch: int, out_ch: int, temb_ch: Optional[int], groups: int,
                 head_dim: Optional[int], skip_ch: int = 0) -> None:
        super().__init__()
        self.in_ch, self.out_ch, self.skip_ch = in_ch, out_ch, skip_ch
        self.resnet = ResnetBlock2D(in_channels=in_ch + skip_ch, out_channels=out_ch,
                                    temb_channels=temb_ch, groups=groups)
        self.attn = None
        if head_dim:
            self.attn = Transformer2DModel(num_attention_heads=max(out_ch // head_dim, 1),
                                           attention_head_dim=min(head_dim, out_ch),
                                           in_channels=out_ch, norm_num_groups=groups,
                                           use_linear_projection=True)

    def forward(self, x: torch.Tensor, temb: torch.Tensor,
                skip: Optional[torch.Tensor] = None) -> torch.Tensor:
        if self.skip_ch:
            x = torch.cat([x, skip], dim=1)
        x = self.resnet(x, temb)
        if self.attn is not None:
            x = self.attn(x, return_dict=False)[0]
        return x


@MODELS.register_module()
class UNetDenoiser(PrunableBackbone):
    """SD-style UNet with named encoder / bottleneck / decoder units.

    Args:
        in_channels: Latent channels of ``x_t``. cond_channels: channels of the
            concatenated condition (defaults to ``in_channels``; 0 for none).
        out_channels: Predicted channels (defaults to ``in_channels``).
        block_channels: Width per resolution level.
        units_per_level: Encoder (= decoder) units per level.
        attention_levels: Levels with self-attention.
        head_dim: Attention head width. norm_groups: GroupNorm groups.
        grad_checkpointing: Recompute unit activations in backward to save memory.
        time_embedding: False for a fixed-timestep (one-step) model: no timestep MLP and
            no per-block time projections; ``t`` is then ignored (AdcSR's student).
    """

    def __init__(self, in_channels: int = 4, cond_channels: Optional[int] = None,
                 out_channels: Optional[int] = None,
                 block_channels: Sequence[int] = (64, 128), units_per_level: int = 2,
                 attention_levels: Sequence[int] = (1,), head_dim: int = 32,
                 norm_groups: int = 32, grad_checkpointing: bool = False,
                 time_embedding: bool = True) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.cond_channels = in_channels if cond_channels is None else cond_channels
        self.out_channels = out_channels or in_channels
        self.block_channels = list(block_channels)
        self.units_per_level = units_per_level
        self.grad_checkpointing = grad_checkpointing
        for ch in block_channels:
            if ch % norm_groups:
                raise ValueError(f'UNetDenoiser: block_channels {list(block_channels)} must be '
                                 f'multiples of norm_groups={norm_groups}')
        temb_ch = block_channels[0] * 4 if time_embedding else None
        self.t_embed = (TimestepEmbedding(temb_ch, freq_dim=block_channels[0])
                        if time_embedding else None)
        self.conv_in = nn.Conv2d(in_channels + self.cond_channels, block_channels[0], 3,
                                 padding=1)
        levels = len(block_channels)

        def attn(level: int) -> Optional[int]:
            return head_dim if level in attention_levels else None

        self.enc_units, self.downsamplers = nn.ModuleList(), nn.ModuleList()
        prev = block_channels[0]
        for lvl, ch in enumerate(block_channels):
            for j in range(units_per_level):
                self.enc_units.append(UNetUnit(prev, ch, temb_ch, norm_groups, attn(lvl)))
                prev = ch
            if lvl < levels - 1:
                self.downsamplers.append(Downsample2D(ch, use_conv=True, out_channels=ch))
        deepest = block_channels[-1]
        self.mid_units = nn.ModuleList([
            UNetUnit(deepest, deepest, temb_ch, norm_groups, head_dim),
            UNetUnit(deepest, deepest, temb_ch, norm_groups, None)])
        self.dec_units, self.upsamplers = nn.ModuleList(), nn.ModuleList()
        for lvl in reversed(range(levels)):
            ch = block_channels[lvl]
            for j in range(units_per_level):
                self.dec_units.append(
                    UNetUnit(prev, ch, temb_ch, norm_groups, attn(lvl), skip_ch=ch))
                prev = ch
            if lvl > 0:
                self.upsamplers.append(Upsample2D(ch, use_conv=True, out_channels=ch))
        self.norm_out = nn.GroupNorm(norm_groups, block_channels[0], eps=1e-6)
        self.conv_out = nn.Conv2d(block_channels[0], self.out_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    @property
    def size_divisor(self) -> int:
        return 2 ** (len(self.block_channels) - 1)  # one downsampler between levels

    def block_table(self) -> List[Tuple[str, str, nn.ModuleList, int]]:
        n, levels = self.units_per_level, len(self.block_channels)
        return (part_rows('encoder', self.enc_units, lambda i: f'encoder.{i // n}.{i % n}') +
                part_rows('bottleneck', self.mid_units, 'bottleneck.{}'.format) +
                part_rows('decoder', self.dec_units,
                          lambda i: f'decoder.{levels - 1 - i // n}.{i % n}'))

    def concat_inputs(self):
        """Tensors that read ``cat([x, skip])``: parameter name -> (x, skip) channels, so
        channel slicing (pgpsr.pruning.channel_slicing) keeps the leading channels of each
        part rather than of the concatenation."""
        out = {}
        for i, unit in enumerate(self.dec_units):
            if isinstance(unit, UNetUnit) and unit.skip_ch:
                parts = (unit.in_ch, unit.skip_ch)
                for name in ('resnet.norm1.weight', 'resnet.norm1.bias', 'resnet.conv1.weight',
                             'resnet.conv_shortcut.weight'):
                    out[f'dec_units.{i}.{name}'] = parts
        return out

    def block_widths(self) -> Dict[str, int]:
        return {name: holder[i].out_ch for name, _, holder, i in self.block_table()
                if isinstance(holder[i], UNetUnit)}

    def is_droppable(self, name: str) -> bool:
        unit = self.blocks()[name][1]
        return unit.in_ch == unit.out_ch

    def forward(self, x_t: torch.Tensor, t: Optional[torch.Tensor] = None,
                cond: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Predict noise / v / x0 (per the model's config) for ``x_t`` at timesteps ``t``."""
        h, w = x_t.shape[-2:]
        if h % self.size_divisor or w % self.size_divisor:
            raise ValueError(f'UNetDenoiser input {h}x{w} is not a multiple of '
                             f'{self.size_divisor}')
        temb = None
        if self.t_embed is not None:
            if t is None:
                raise ValueError('UNetDenoiser with a time embedding needs timesteps t')
            t = t.expand(x_t.shape[0]) if t.dim() == 0 else t
            temb = self.t_embed(t.to(x_t.device))
        x = self.conv_in(torch.cat([x_t, cond], dim=1) if self.cond_channels else x_t)
        n, skips = self.units_per_level, []
        for i, unit in enumerate(self.enc_units):
            x = self.run_block(unit, x, temb)
            skips.append(x)
            if i % n == n - 1 and i // n < len(self.downsamplers):
                x = self.downsamplers[i // n](x)
        for unit in self.mid_units:
            x = self.run_block(unit, x, temb)
        for i, unit in enumerate(self.dec_units):
            x = self.run_block(unit, x, temb, skips.pop())
            if i % n == n - 1 and i // n < len(self.upsamplers):
                x = self.upsamplers[i // n](x)
        return self.conv_out(nn.functional.silu(self.norm_out(x)))
