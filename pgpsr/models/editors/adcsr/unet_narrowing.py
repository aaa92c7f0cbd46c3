"""A narrower diffusers UNet initialised from a wide one: AdcSR's student denoiser.

AdcSR (Chen et al., 2025) keeps the first 75% of every conv / linear / norm channel of the
one-step SD2.1 UNet. Here diffusers builds the narrow UNet from the wide one's config with
``block_out_channels`` and ``norm_num_groups`` scaled (channels per group stay the
teacher's, so the kept channels are exactly its first groups; the reference code picks
32 or 24 groups per width instead), and every tensor is the leading slice of the wide
one's, except where a plain leading slice would pair the wrong channels:
- norms and convs that read a skip concatenation keep the leading part of each input,
- attention projections keep the leading dims of every head (heads keep their count and
  narrow, as in the reference),
- GEGLU projections keep the leading rows of the value and of the gate half.
``conv_in`` / ``conv_out`` with new channel counts are tiled from the wide ones (as the
reference does; ``conv_in`` averaged over its copies when ``average_tiles``).
:func:`per_width_groups` regroups every GroupNorm as the reference's ``halve_channels``
does, which the released student's weights were trained with.
"""
from typing import Dict, Optional, Tuple

import torch
from torch import nn

from pgpsr.pruning.channel_slicing import scale_widths, slice_weights
from .unet_surgery import has_time_path, remove_cross_attention, remove_time_path

Parts = Dict[str, Tuple[int, ...]]
# AdcSR's model.py halve_channels: the first of these that divides a GroupNorm's width
REFERENCE_GROUP_CHOICES = (32, 24, 16, 12, 8, 6, 4, 2, 1)


def per_width_groups(model: nn.Module) -> nn.Module:
    """Every GroupNorm of ``model`` regrouped to the first of REFERENCE_GROUP_CHOICES
    that divides its width (240 -> 24, 480 -> 32, 720 -> 24 on SD2.1 at 75%); weights
    are per channel, so only the grouping changes. In place; returns ``model``."""
    for m in model.modules():
        if isinstance(m, nn.GroupNorm):
            m.num_groups = next(g for g in REFERENCE_GROUP_CHOICES if m.num_channels % g == 0)
    return model


def skip_concat_parts(unet) -> Parts:
    """``{tensor name: (upsampling-path channels, skip channels)}`` for every tensor that
    reads a decoder ResNet's ``cat([h, skip])``, from the UNet's module widths."""
    skips = [unet.conv_in.out_channels]
    for blk in unet.down_blocks:
        skips += [r.conv2.out_channels for r in blk.resnets]
        skips += [d.out_channels for d in blk.downsamplers or []]
    h, parts = unet.config.block_out_channels[-1], {}
    for b, blk in enumerate(unet.up_blocks):
        for i, r in enumerate(blk.resnets):
            split = (h, skips.pop())
            for t in ('norm1.weight', 'norm1.bias', 'conv1.weight', 'conv_shortcut.weight'):
                parts[f'up_blocks.{b}.resnets.{i}.{t}'] = split
            h = r.conv2.out_channels
    return parts


def _row_parts(unet) -> Parts:
    """Output-row parts: attention q/k/v by head, GEGLU by value/gate half."""
    from diffusers.models.activations import GEGLU
    from diffusers.models.attention_processor import Attention
    parts = {}
    for name, m in unet.named_modules():
        if isinstance(m, Attention):
            for p in ('to_q', 'to_k', 'to_v'):
                n = getattr(m, p).out_features
                parts[f'{name}.{p}.weight'] = parts[f'{name}.{p}.bias'] = (n // m.heads,) * m.heads
        elif isinstance(m, GEGLU):
            n = m.proj.out_features // 2
            parts[f'{name}.proj.weight'] = parts[f'{name}.proj.bias'] = (n, n)
    return parts


def _head_inputs(unet) -> Parts:
    """Input parts of the attention output projections (one per head)."""
    from diffusers.models.attention_processor import Attention
    return {f'{n}.to_out.0.weight': (m.to_out[0].in_features // m.heads,) * m.heads
            for n, m in unet.named_modules() if isinstance(m, Attention)}


@torch.no_grad()
def _copy_rows(dst: torch.Tensor, src: torch.Tensor, src_parts, dst_parts) -> None:
    """Leading rows of each part (and leading columns) of ``src`` into ``dst``."""
    rows = [c.narrow(0, 0, n) for c, n in zip(src.split(list(src_parts), 0), dst_parts)]
    src = torch.cat(rows, 0)
    for d in range(1, dst.dim()):
        src = src.narrow(d, 0, dst.shape[d])
    dst.copy_(src)


@torch.no_grad()
def tile_conv(src: nn.Conv2d, in_channels: int, out_channels: int,
              average_tiles: bool = False) -> nn.Conv2d:
    """A conv with new channel counts whose weight[o, i] is ``src``'s
    [o mod out, i mod in] (leading when narrower), optionally divided by the number of
    input copies so the response to a repeated input keeps its scale."""
    conv = nn.Conv2d(in_channels, out_channels, src.kernel_size, src.stride, src.padding,
                     bias=src.bias is not None).to(src.weight.dtype)
    o = torch.arange(out_channels) % src.out_channels
    i = torch.arange(in_channels) % src.in_channels
    w = src.weight[o][:, i]
    if average_tiles:
        w = w / max(1, -(-in_channels // src.in_channels))
    conv.weight.copy_(w)
    if src.bias is not None:
        conv.bias.copy_(src.bias[o])
    return conv


def narrow_unet(unet, widths: Dict[str, float], in_channels: Optional[int] = None,
                out_channels: Optional[int] = None):
    """The UNet at ``widths`` (config keys -> ratio, e.g. ``block_out_channels=0.75,
    norm_num_groups=0.75``), with ``unet``'s structural removals (folded time path,
    cross-attention) and weights sliced from it."""
    from diffusers import UNet2DConditionModel
    cfg = scale_widths(dict(unet.config), widths)
    cfg.update(in_channels=in_channels or unet.config.in_channels,
               out_channels=out_channels or unet.config.out_channels)
    narrow = UNet2DConditionModel.from_config(cfg).to(next(unet.parameters()).dtype)
    if not has_time_path(unet):
        remove_time_path(narrow)
    if not any(getattr(m, 'attn2', None) is not None for m in unet.modules()):
        remove_cross_attention(narrow)
    skip = ('conv_in', 'conv_out')
    src_in = {**skip_concat_parts(unet), **_head_inputs(unet)}
    dst_in = {**skip_concat_parts(narrow), **_head_inputs(narrow)}
    left = slice_weights(narrow, unet, skip=skip, concat_inputs=(src_in, dst_in))
    left = {k: v for k, v in left.items() if v != 'skipped'}
    if left:
        raise RuntimeError(f'narrow_unet: tensors not initialised from the wide UNet: {left}')
    src_state, dst_rows, src_rows = unet.state_dict(), _row_parts(narrow), _row_parts(unet)
    for name, t in narrow.state_dict(keep_vars=True).items():
        if name in dst_rows:
            _copy_rows(t, src_state[name], src_rows[name], dst_rows[name])
    narrow.conv_in = tile_conv(unet.conv_in, narrow.conv_in.in_channels,
                               narrow.conv_in.out_channels)
    narrow.conv_out = tile_conv(unet.conv_out, narrow.conv_out.in_channels,
                                narrow.conv_out.out_channels)
    return narrow
