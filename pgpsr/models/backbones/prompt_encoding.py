"""Encode a prompt with a Stable Diffusion folder's own text encoder(s), offline.

SD 1.x/2.x: ``text_encoder/`` + ``tokenizer/``, the last hidden state (what diffusers'
StableDiffusionPipeline feeds the UNet). SDXL: also ``text_encoder_2/`` + ``tokenizer_2/``;
both encoders' penultimate hidden states concatenated, the second's projected pooled
output, and the size conditioning ``time_ids`` (as StableDiffusionXLPipeline builds them).
It lives with the backbones because ``DiffusersUNetDenoiser`` encodes the null prompt ``''``
with it at build time; ``tools/misc/encode_prompt.py`` writes any other prompt to the file
that ``DiffusersUNetDenoiser(prompt_embeds=FILE)`` reads.
"""
import os.path as osp
from typing import Dict, Sequence

import torch

from pgpsr.utils.pretrained import require_local_path


def tokenizer_dir(sub: str) -> str:
    """The tokenizer subfolder that goes with a text encoder subfolder (diffusers' names)."""
    return sub.replace('text_encoder', 'tokenizer')


def _encode(folder: str, sub: str, prompt: str, projection: bool):
    from transformers import CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer
    enc_dir = require_local_path(osp.join(folder, sub), f'text encoder {sub}')
    tok_dir = require_local_path(osp.join(folder, tokenizer_dir(sub)), 'tokenizer')
    tokenizer = CLIPTokenizer.from_pretrained(tok_dir, local_files_only=True)
    cls = CLIPTextModelWithProjection if projection else CLIPTextModel
    model = cls.from_pretrained(enc_dir, local_files_only=True).eval()
    ids = tokenizer(prompt, padding='max_length', max_length=tokenizer.model_max_length,
                    truncation=True, return_tensors='pt').input_ids
    with torch.no_grad():
        return model(ids, output_hidden_states=True)


def encode_prompt(folder: str, prompt: str, size: Sequence[int] = (1024, 1024)
                  ) -> Dict[str, torch.Tensor]:
    """``{'prompt_embeds', ['pooled_prompt_embeds', 'time_ids']}`` for ``prompt``."""
    require_local_path(folder, 'SD folder')
    if not osp.isdir(osp.join(folder, 'text_encoder_2')):
        out = _encode(folder, 'text_encoder', prompt, projection=False)
        return dict(prompt_embeds=out.last_hidden_state.contiguous())
    one = _encode(folder, 'text_encoder', prompt, projection=False)
    two = _encode(folder, 'text_encoder_2', prompt, projection=True)
    # diffusers' SDXL default (clip_skip=None): the penultimate layer of both encoders
    embeds = torch.cat([one.hidden_states[-2], two.hidden_states[-2]], dim=-1)
    h, w = size
    return dict(prompt_embeds=embeds.contiguous(), pooled_prompt_embeds=two.text_embeds,
                time_ids=torch.tensor([[h, w, 0, 0, h, w]], dtype=torch.float32))
