"""AdcSR's surgery on a one-step diffusers UNet (Chen et al., 2025, as its reference
``model.py`` builds the student): the timestep is the constant 999, so the time
embedding and every ResNet's ``time_emb_proj`` can go; and cross-attention on a fixed
prompt can go too (then distillation recovers what it carried).

``fold_timestep`` is exact: each ResNet adds ``time_emb_proj(act(emb(t)))`` right after
``conv1`` (``time_embedding_norm='default'``, SD1.x/2.x), a per-channel constant for a
fixed t, which moves into ``conv1.bias``. ``remove_cross_attention`` is not: it changes
the function, and is meant for a student that is trained afterwards.
"""
from typing import Dict

import torch
from torch import nn


class NoTimeEmbedding(nn.Module):
    """Stands in for ``unet.time_embedding`` after folding: returns None, so diffusers'
    UNet passes no ``temb`` to its blocks."""

    def forward(self, sample, condition=None):
        return None


@torch.no_grad()
def fold_timestep(unet, timestep: int = 999) -> Dict[str, int]:
    """Fold the constant ``timestep``'s embedding into the ResNets' ``conv1`` biases and
    remove the time embedding and every ``time_emb_proj``, in place. The UNet then gives
    at any timestep what it gave at ``timestep``. Returns counts of what was removed."""
    from diffusers.models.resnet import ResnetBlock2D
    if unet.config.get('class_embed_type') or unet.config.get('addition_embed_type'):
        raise ValueError('fold_timestep: class or added embeddings (e.g. SDXL) also feed '
                         'the time embedding; only plain SD1.x/2.x UNets fold exactly')
    p = next(unet.parameters())
    t = torch.tensor([timestep], device=p.device)
    emb = unet.time_embedding(unet.get_time_embed(sample=p, timestep=t).to(p.dtype), None)
    if unet.time_embed_act is not None:
        emb = unet.time_embed_act(emb)
    folded = 0
    for block in unet.modules():
        if not isinstance(block, ResnetBlock2D) or block.time_emb_proj is None:
            continue
        if block.time_embedding_norm != 'default':
            raise ValueError(f'fold_timestep: time_embedding_norm='
                             f'{block.time_embedding_norm!r} scales features by t; not foldable')
        act = emb if block.skip_time_act else block.nonlinearity(emb)
        shift = block.time_emb_proj(act)[0]
        if block.conv1.bias is None:
            block.conv1.bias = nn.Parameter(torch.zeros_like(shift))
        block.conv1.bias.add_(shift.to(block.conv1.bias.dtype))
        folded += 1
    removed = remove_time_path(unet)
    return dict(resnets_folded=folded, time_embedding_params_removed=removed)


def has_time_path(unet) -> bool:
    return not isinstance(unet.time_embedding, NoTimeEmbedding)


def remove_time_path(unet) -> int:
    """Remove the time embedding and every ResNet's ``time_emb_proj`` (nothing folded:
    :func:`fold_timestep` folds first). Returns the time embedding's parameter count."""
    from diffusers.models.resnet import ResnetBlock2D
    for block in unet.modules():
        if isinstance(block, ResnetBlock2D):
            block.time_emb_proj = None
    removed = sum(q.numel() for q in unet.time_embedding.parameters())
    unet.time_embedding = NoTimeEmbedding()
    return removed


def remove_cross_attention(unet) -> int:
    """Drop every transformer block's cross-attention (``attn2`` and its ``norm2``), in
    place: diffusers skips them when they are None. Returns the parameters removed."""
    from diffusers.models.attention import BasicTransformerBlock
    removed = 0
    for block in unet.modules():
        if isinstance(block, BasicTransformerBlock) and block.attn2 is not None:
            removed += sum(q.numel() for q in block.attn2.parameters())
            removed += sum(q.numel() for q in block.norm2.parameters()) if block.norm2 else 0
            block.attn2, block.norm2 = None, None
    return removed
