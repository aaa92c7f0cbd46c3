"""Tiny pipeline folders in the released models' diffusers layout, for tests and smoke runs.

Random weights (scaled so outputs are not trivially zero), the block structure of
SD2.1-base, SDXL-base or DiT-XL/2, a few channels wide, plus a tiny f=8 VAE; saved with
``save_pretrained`` exactly as the real pipelines are, so the loading path is the real one.
Optionally tiny CLIP text encoders + tokenizers (SD2.1: one; SDXL: two, the second with a
projection), sized to the tiny UNets' cross-attention and pooled widths.
"""
import json
import os
import os.path as osp

import torch
from diffusers import AutoencoderKL, DiTTransformer2DModel, UNet2DConditionModel

from .diffusers_archs import TINY_DIT, TINY_SD21_UNET, TINY_SDXL_UNET

ARCHS = dict(sd21=('unet', UNet2DConditionModel, TINY_SD21_UNET),
             sdxl=('unet', UNet2DConditionModel, TINY_SDXL_UNET),
             dit=('transformer', DiTTransformer2DModel, TINY_DIT))
TINY_VAE = dict(in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=4,
                down_block_types=['DownEncoderBlock2D'] * 4,
                up_block_types=['UpDecoderBlock2D'] * 4,
                block_out_channels=[8, 8, 16, 16], layers_per_block=1, sample_size=64,
                scaling_factor=0.18215)
# (subfolder, hidden width, projection width or 0): widths add up to the tiny UNets'
# cross_attention_dim (24; 12 + 20 = 32), SDXL's projection is its pooled width (32)
TEXT_ENCODERS = dict(sd21=[('text_encoder', 24, 0)],
                     sdxl=[('text_encoder', 12, 0), ('text_encoder_2', 20, 32)])


def tiny_model(arch: str, seed: int = 0):
    """The tiny denoiser of ``arch`` with random weights (std 0.1 so it is not ~zero)."""
    _, cls, cfg = ARCHS[arch]
    torch.manual_seed(seed)
    model = cls.from_config(cfg)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.1)
    return model


def save_tiny_pipeline(arch: str, out_dir: str, seed: int = 0,
                       text_encoders: bool = False) -> str:
    """Write ``out_dir/{unet|transformer}`` and ``out_dir/vae`` (with ``text_encoders``
    also the tiny CLIP encoders and tokenizers of :data:`TEXT_ENCODERS`); returns
    ``out_dir``."""
    if arch not in ARCHS:
        raise KeyError(f'unknown tiny architecture {arch!r}; expected one of {list(ARCHS)}')
    sub = ARCHS[arch][0]
    os.makedirs(out_dir, exist_ok=True)
    tiny_model(arch, seed).save_pretrained(osp.join(out_dir, sub))
    torch.manual_seed(seed + 1)
    AutoencoderKL(**TINY_VAE).save_pretrained(osp.join(out_dir, 'vae'))
    for enc, hidden, projection in TEXT_ENCODERS.get(arch, []) if text_encoders else []:
        save_tiny_text_encoder(out_dir, enc, hidden, projection, seed)
    return out_dir


def save_tiny_text_encoder(folder: str, sub: str, hidden: int, projection: int = 0,
                           seed: int = 0, max_length: int = 8) -> None:
    """A tiny CLIP text encoder in ``folder/sub`` and its tokenizer next to it.

    The tokenizer's BPE files are written here (letters only, no merges: CLIP's real
    vocabulary is not available offline); ``projection`` > 0 makes it a
    ``CLIPTextModelWithProjection`` (SDXL's second encoder)."""
    from transformers import (CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection,
                              CLIPTokenizer)
    tok_dir = osp.join(folder, sub.replace('text_encoder', 'tokenizer'))
    os.makedirs(tok_dir, exist_ok=True)
    vocab = {'<|startoftext|>': 0, '<|endoftext|>': 1}
    for ch in 'abcdefghijklmnopqrstuvwxyz':
        vocab[ch] = len(vocab)
        vocab[ch + '</w>'] = len(vocab)
    with open(osp.join(tok_dir, 'vocab.json'), 'w') as f:
        json.dump(vocab, f)
    with open(osp.join(tok_dir, 'merges.txt'), 'w') as f:
        f.write('#version: 0.2\n')
    CLIPTokenizer(osp.join(tok_dir, 'vocab.json'), osp.join(tok_dir, 'merges.txt'),
                  model_max_length=max_length).save_pretrained(tok_dir)
    cfg = CLIPTextConfig(vocab_size=len(vocab), hidden_size=hidden, intermediate_size=16,
                         num_hidden_layers=2, num_attention_heads=2,
                         max_position_embeddings=max_length, projection_dim=projection or hidden,
                         bos_token_id=0, eos_token_id=1, pad_token_id=1)
    torch.manual_seed(seed + len(sub))
    cls = CLIPTextModelWithProjection if projection else CLIPTextModel
    cls(cfg).save_pretrained(osp.join(folder, sub))
