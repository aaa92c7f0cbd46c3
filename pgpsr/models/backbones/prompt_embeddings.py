"""Fixed text conditioning for SR: a prompt embedding read from a file, or the null prompt.

SR runs no text encoder per image: ``tools/misc/encode_prompt.py`` encodes a prompt once
with the model's own encoder(s) and saves ``prompt_embeds`` (1 x tokens x dim) and, for
SDXL, ``pooled_prompt_embeds`` (1 x dim) and ``time_ids`` (1 x 6) in a ``.safetensors``
file. Without a file the null prompt is what the diffusers pipeline feeds the UNet for an
empty prompt, because that is what the model was trained with: SD1.x/2.x (and OSEDiff,
AdcSR's discriminator) see CLIP's encoding of ``''``, which is not zero, so the pipeline
folder's ``text_encoder/`` is applied to ``''`` once at build time (cached per folder).
Zeros only where the pipeline uses zeros: SDXL's ``force_zeros_for_empty_prompt`` (its
default; read from ``model_index.json``), or when the folder has no text encoder (a bare
UNet folder, random weights). Which one was used is announced in the log.
"""
import json
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmengine.logging import print_log

from pgpsr.utils.pretrained import load_weights_file
from .prompt_encoding import encode_prompt, tokenizer_dir

KEYS = ('prompt_embeds', 'pooled_prompt_embeds', 'time_ids')
# CLIP's encoding of '' per pipeline folder: several models built from one folder (AdcSR's
# teacher, student and discriminator) run the text encoder once
_NULL_CACHE: Dict[str, Dict[str, torch.Tensor]] = {}


def pipeline_folder(pretrained: Optional[str], subfolder: Optional[str]) -> Optional[str]:
    """The diffusers pipeline folder a model was read from: ``pretrained`` with a
    ``subfolder``, the parent of a ``.../unet`` folder, else None (no pipeline known)."""
    if pretrained is None:
        return None
    path = osp.abspath(osp.expanduser(str(pretrained)))
    if not osp.isdir(path):
        return None
    if subfolder:
        return path
    return osp.dirname(path) if osp.basename(path) == 'unet' else None


def _force_zeros(folder: str) -> bool:
    """SDXL's ``force_zeros_for_empty_prompt`` (``model_index.json``; diffusers' default
    True): its pipelines then feed zeros, not CLIP of ``''``, for an empty prompt."""
    index = osp.join(folder, 'model_index.json')
    if not osp.isfile(index):
        return True
    with open(index) as f:
        return bool(json.load(f).get('force_zeros_for_empty_prompt', True))


def null_prompt(folder: Optional[str], sdxl: bool) -> Tuple[Optional[Dict], str]:
    """(the encoding of ``''``, or None for zeros; why) for a pipeline folder."""
    if folder is None:
        return None, ('no pipeline folder to take a text encoder from (random weights, a '
                      'weights file or a bare model folder)')
    if sdxl and _force_zeros(folder):
        return None, (f'{folder} is an SDXL pipeline with force_zeros_for_empty_prompt '
                      '(model_index.json; true by default), so diffusers feeds zeros for an '
                      'empty prompt')
    for sub in ('text_encoder', 'text_encoder_2') if sdxl else ('text_encoder',):
        tok = tokenizer_dir(sub)
        if not (osp.isdir(osp.join(folder, sub)) and osp.isdir(osp.join(folder, tok))):
            return None, f'{folder} has no {sub}/ + {tok}/ to encode the empty prompt with'
    if folder not in _NULL_CACHE:
        _NULL_CACHE[folder] = encode_prompt(folder, '')
    used = f'{folder}/text_encoder' + (f' + {folder}/text_encoder_2' if sdxl else '')
    return ({k: v.clone() for k, v in _NULL_CACHE[folder].items() if k != 'time_ids'},
            f"{used} applied to ''")


def _check(out: Dict, source: str, owner: str, cross_dim: int, pooled_dim: Optional[int]):
    got = out['prompt_embeds'].shape[-1]
    if got != cross_dim:
        raise ValueError(f'{owner}.prompt_embeds: {source} holds {got}-wide embeddings but '
                         f'the UNet cross-attends to {cross_dim}; encode the prompt with '
                         "this model's own text encoder(s)")
    if pooled_dim and 'pooled_prompt_embeds' not in out:
        raise KeyError(f'{owner}.prompt_embeds: {source} lacks `pooled_prompt_embeds`, '
                       'which this (SDXL-style) UNet needs')
    pooled = out.get('pooled_prompt_embeds')
    if pooled_dim and pooled.shape[-1] != pooled_dim:
        raise ValueError(f'{owner}.prompt_embeds: the pooled embedding is '
                         f'{pooled.shape[-1]} wide in {source}, the UNet expects {pooled_dim}')


def load_prompt_embeddings(path: Optional[str], owner: str, cross_dim: Optional[int],
                           pooled_dim: Optional[int] = None, tokens: int = 77,
                           time_ids: Sequence[float] = (1024, 1024, 0, 0, 1024, 1024),
                           folder: Optional[str] = None) -> Dict[str, torch.Tensor]:
    """The conditioning tensors (batch 1) a UNet with cross-attention needs.

    Args:
        path: A file written by ``encode_prompt.py`` (or None: the null prompt).
        owner: Config section named in messages.
        cross_dim: The UNet's ``cross_attention_dim`` (None: no cross-attention).
        pooled_dim: SDXL's pooled text embedding width (None: not used).
        tokens: Sequence length of a zero null prompt.
        time_ids: SDXL's size/crop conditioning used when the file has none.
        folder: The pipeline folder whose text encoder(s) encode the null prompt (None:
            zeros).
    """
    if cross_dim is None:
        return {}
    if path is None:
        out, why = null_prompt(folder, bool(pooled_dim))
        if out is None:
            print_log(f'{owner}: null prompt = zeros ({tokens} x {cross_dim}): {why}. To '
                      'condition on a prompt, encode it with tools/misc/encode_prompt.py '
                      'and set prompt_embeds=FILE', logger='current')
            out = dict(prompt_embeds=torch.zeros(1, tokens, cross_dim))
            if pooled_dim:
                out['pooled_prompt_embeds'] = torch.zeros(1, pooled_dim)
        else:
            print_log(f'{owner}: null prompt: {why} (no prompt_embeds file given)',
                      logger='current')
            _check(out, f'the null prompt of {folder}', owner, cross_dim, pooled_dim)
    else:
        state = load_weights_file(path)
        if 'prompt_embeds' not in state:
            raise KeyError(f'{owner}.prompt_embeds: {path} has no `prompt_embeds` tensor '
                           f'(found {sorted(state)}); make it with tools/misc/encode_prompt.py')
        out = {k: state[k].float() for k in KEYS if k in state}
        if out['prompt_embeds'].dim() == 2:
            out['prompt_embeds'] = out['prompt_embeds'][None]
        _check(out, path, owner, cross_dim, pooled_dim)
    if pooled_dim and 'time_ids' not in out:
        out['time_ids'] = torch.tensor([list(time_ids)], dtype=torch.float32)
    return out
