"""Which pruned ``DiffusersUNetDenoiser`` architectures a diffusers config can express.

Diffusers 0.28.2's ``UNet2DConditionModel`` takes per-level ``layers_per_block`` (n_L
ResNets in down block L, n_L + 1 in its up block), per-unit transformer depths
(``transformer_layers_per_block`` / ``reverse_transformer_layers_per_block``) and a
``mid_block_type`` (``UNetMidBlock2DCrossAttn``: ResNet, transformer, ResNet;
``UNetMidBlock2D``: one ResNet; ``None``). Its forward pushes one skip per live encoder
ResNet and the level's input, and the up block consumes all of them.

pgpsr's removed encoder unit passes its input on, so its skip repeats the one before it;
a removed decoder unit ignores its skip. A level is therefore expressible exactly when
every distinct skip is consumed by one live decoder unit: group decoder units by the skip
they read (a removed encoder unit merges its skip into the previous one); each group must
keep exactly one. E.g. removing ``encoder.L.j`` with one of the decoder units reading its
skip or the previous one (``decoder.L.{n-1-j}`` or ``decoder.L.{n-j}``).
The mid transformer's depth is diffusers' ``transformer_layers_per_block[-1][0]``, so
it must equal the depth of the last down block's first live transformer.
"""
from typing import Dict, Iterable, List, Optional, Tuple

from .base import DroppedBlock


class NotExportableError(ValueError):
    """The pruned architecture has no diffusers ``UNet2DConditionModel`` equivalent."""


def _depth(view, name: str, dropped) -> Optional[int]:
    """Transformer layers left in live unit ``name`` (None: the unit has no transformer)."""
    attn = getattr(view, 'attn', None)
    if attn is None:
        return None
    return sum(not isinstance(m, DroppedBlock) and f'{name}.attn.{k}' not in dropped
               for k, m in enumerate(attn.transformer_blocks))


def _check_level(level: int, enc: List[str], dec: List[str], dropped) -> None:
    """Raise unless every skip of the level is read by exactly one live decoder unit."""
    n = len(enc)
    groups: Dict[int, List[str]] = {}
    for k, d in enumerate(dec):  # decoder k reads the skip made at encoder n-1-k (-1: input)
        src = next((j for j in range(n - 1 - k, -1, -1) if enc[j] not in dropped), -1)
        groups.setdefault(src, []).append(d)
    for src, names in groups.items():
        live = [d for d in names if d not in dropped]
        if len(live) == 1:
            continue
        what = f'the output of {enc[src]}' if src >= 0 else f'level {level}\'s input'
        gone = [e for e in enc[src + 1:] if e in dropped][:len(names) - 1]
        if not live:
            raise NotExportableError(
                f'decoder units {names} are all removed, so no decoder unit reads {what}; '
                f'diffusers consumes every skip (each live encoder ResNet\'s and the '
                f'level input\'s): keep one of them')
        raise NotExportableError(
            f'decoder units {live} all read {what}' +
            (f' (removed encoder units {gone} repeat it)' if gone else '') +
            f'; diffusers has one skip per encoder ResNet and one decoder ResNet per skip '
            f'at each level, so remove all but one of them (pair each removed encoder '
            f'unit with one decoder unit reading its skip or the previous one)')


def export_plan(backbone, dropped: Optional[Iterable[str]] = None) -> Dict:
    """The diffusers config keys that express ``backbone`` with ``dropped`` removed
    (default: its current removals).

    Returns:
        ``dict(layers_per_block, transformer_layers_per_block,
        reverse_transformer_layers_per_block, mid_block_type)``.

    Raises:
        NotExportableError: naming the units and the diffusers constraint they break.
    """
    dropped = set(backbone.dropped if dropped is None else dropped)
    unet, views = backbone.unet, backbone.blocks(include_dropped=True)
    levels = len(unet.down_blocks)
    layers, down, up = [], [], [None] * levels
    for lv, blk in enumerate(unet.down_blocks):
        up_blk = unet.up_blocks[levels - 1 - lv]
        enc = [f'encoder.{lv}.{j}' for j in range(len(blk.resnets))]
        dec = [f'decoder.{lv}.{k}' for k in range(len(up_blk.resnets))]
        _check_level(lv, enc, dec, dropped)
        live_enc = [e for e in enc if e not in dropped]
        layers.append(len(live_enc))
        down.append(tuple(_depth(views[e][1], e, dropped) for e in live_enc)
                    if getattr(blk, 'attentions', None) else None)
        up[levels - 1 - lv] = tuple(
            _depth(views[d][1], d, dropped) if getattr(up_blk, 'attentions', None) else 1
            for d in dec if d not in dropped)
    tlpb = [list(d) if d is not None else 1 for d in down]
    mid_type, mid_depth = _mid(backbone, dropped, views, down[-1])
    if mid_depth is not None:
        tlpb[-1] = mid_depth  # no live transformer in the last down block: sizes the mid
    return dict(layers_per_block=layers, transformer_layers_per_block=tlpb,
                reverse_transformer_layers_per_block=[list(u) for u in up],
                mid_block_type=mid_type)


def _mid(backbone, dropped, views, last) -> Tuple[Optional[str], Optional[int]]:
    """The mid block's diffusers type, and its transformer depth when the last down
    block's depths (``last``) cannot carry it."""
    mid = backbone.unet.mid_block
    if mid is None:
        return None, None
    names = [f'bottleneck.{k}' for k in range(len(mid.resnets))]
    gone = [n in dropped for n in names]
    if all(gone):
        return None, None
    if len(names) > 1 and all(gone[1:]):
        return 'UNetMidBlock2D', None  # diffusers' one-ResNet mid block
    if any(gone):
        raise NotExportableError(
            f'{[n for n, g in zip(names, gone) if g]} removed but {names[-1]} kept: '
            f'diffusers\' mid block always starts with a ResNet ({names[0]}), so '
            f'{names[0]} can go only together with {names[1:]}')
    cfg_type = backbone.unet.config.mid_block_type
    if not getattr(mid, 'attentions', None):
        return cfg_type, None
    m = _depth(views['bottleneck.1'][1], 'bottleneck.1', dropped)
    if not last:  # the last down block has no transformer, or no live unit
        return cfg_type, m
    if last[0] != m:
        raise NotExportableError(
            f'diffusers sizes the mid-block transformer from the last down block\'s first '
            f'one (transformer_layers_per_block[-1][0] = {last[0]} layers left in its '
            f'first live unit), but pruning left the mid block {m} layers (bottleneck.1): '
            f'remove mid and last-level layers so that both depths match')
    return cfg_type, None
