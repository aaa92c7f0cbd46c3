"""Fixed text conditioning for SR: a prompt embedding read from a file, or the null prompt.

SR runs no text encoder: ``tools/misc/encode_prompt.py`` encodes a prompt once with the
model's own encoder(s) and saves ``prompt_embeds`` (1 x tokens x dim) and, for SDXL,
``pooled_prompt_embeds`` (1 x dim) and ``time_ids`` (1 x 6) in a ``.safetensors`` file.
Without a file the null prompt is used: zeros (what the UNet sees when the text branch
carries no information), announced in the log.
"""
from typing import Dict, Optional, Sequence

import torch
from mmengine.logging import print_log

from pgpsr.utils.pretrained import load_weights_file

KEYS = ('prompt_embeds', 'pooled_prompt_embeds', 'time_ids')


def load_prompt_embeddings(path: Optional[str], owner: str, cross_dim: Optional[int],
                           pooled_dim: Optional[int] = None, tokens: int = 77,
                           time_ids: Sequence[float] = (1024, 1024, 0, 0, 1024, 1024)
                           ) -> Dict[str, torch.Tensor]:
    """The conditioning tensors (batch 1) a UNet with cross-attention needs.

    Args:
        path: A file written by ``encode_prompt.py`` (or None: the null prompt).
        owner: Config section named in messages.
        cross_dim: The UNet's ``cross_attention_dim`` (None: no cross-attention).
        pooled_dim: SDXL's pooled text embedding width (None: not used).
        tokens: Sequence length of the null prompt.
        time_ids: SDXL's size/crop conditioning used when the file has none.
    """
    if cross_dim is None:
        return {}
    if path is None:
        print_log(f'{owner}: no prompt_embeds file given; cross-attention sees the null '
                  f'prompt (zeros, {tokens} x {cross_dim})', logger='current')
        out = dict(prompt_embeds=torch.zeros(1, tokens, cross_dim))
        if pooled_dim:
            out['pooled_prompt_embeds'] = torch.zeros(1, pooled_dim)
    else:
        state = load_weights_file(path)
        if 'prompt_embeds' not in state:
            raise KeyError(f'{owner}.prompt_embeds: {path} has no `prompt_embeds` tensor '
                           f'(found {sorted(state)}); make it with tools/misc/encode_prompt.py')
        out = {k: state[k].float() for k in KEYS if k in state}
        if out['prompt_embeds'].dim() == 2:
            out['prompt_embeds'] = out['prompt_embeds'][None]
        got = out['prompt_embeds'].shape[-1]
        if got != cross_dim:
            raise ValueError(f'{owner}.prompt_embeds: {path} holds {got}-wide embeddings but '
                             f'the UNet cross-attends to {cross_dim}; encode the prompt with '
                             "this model's own text encoder(s)")
        if pooled_dim and 'pooled_prompt_embeds' not in out:
            raise KeyError(f'{owner}.prompt_embeds: {path} lacks `pooled_prompt_embeds`, '
                           'which this (SDXL-style) UNet needs')
        pooled = out.get('pooled_prompt_embeds')
        if pooled_dim and pooled.shape[-1] != pooled_dim:
            raise ValueError(f'{owner}.prompt_embeds: the pooled embedding is '
                             f'{pooled.shape[-1]} wide in {path}, the UNet expects {pooled_dim}')
    if pooled_dim and 'time_ids' not in out:
        out['time_ids'] = torch.tensor([list(time_ids)], dtype=torch.float32)
    return out
