"""OSEDiff's released checkpoint -> a plain diffusers SD2.1 folder (LoRA merged).

OSEDiff (Wu et al., 2024) fine-tunes SD2.1-base with LoRA and saves a torch pickle with
``rank_unet``, the UNet's LoRA target lists, ``state_dict_unet`` (LoRA halves and the
retrained ``conv_in``), ``rank_vae``, ``vae_lora_encoder_modules`` and ``state_dict_vae``
(the VAE encoder's LoRA). Merging them into the SD2.1 weights gives an ordinary
``UNet2DConditionModel`` + ``AutoencoderKL`` that ``DiffusersUNetDenoiser`` (``input``
conditioning, one step at t=999) and ``AutoencoderKLCodec`` load as they are; no peft.
"""
import os
import os.path as osp
from typing import Dict

import torch

from pgpsr.models.pretrained.lora_merge import PEFT_DEFAULT_ALPHA, merge_lora, plain_tensors
from pgpsr.utils.pretrained import require_local_path

RELEASE_KEYS = ('rank_unet', 'state_dict_unet', 'rank_vae', 'state_dict_vae')


def load_release(path: str) -> Dict:
    """OSEDiff's checkpoint, checked for the keys the conversion reads."""
    release = torch.load(require_local_path(path, 'the OSEDiff checkpoint'),
                         map_location='cpu', weights_only=False)
    missing = [k for k in RELEASE_KEYS if k not in release]
    if missing:
        raise KeyError(f'{path} is not an OSEDiff release: missing {missing} (expected the '
                       f'dict that osediff.py save_model writes)')
    return release


def _merge_into(model, lora_state: Dict, rank: int, alpha: float,
                ignore: tuple = ()) -> Dict:
    """Full tensors first (conv_in's retrained ``base_layer``), then every LoRA merged on
    top: OSEDiff trains conv_in both ways, so the other order drops its LoRA."""
    state = {k: v.clone() for k, v in model.state_dict().items()}
    plain = plain_tensors(lora_state)
    ignored = sorted(k for k in plain if k not in state and any(s in k for s in ignore))
    plain = {k: v for k, v in plain.items() if k not in ignored}
    unknown = [k for k in plain if k not in state]
    if unknown:
        raise KeyError(f'release tensors with no place in the model: {unknown[:5]}')
    state.update(plain)
    merged = merge_lora(state, lora_state, alpha / rank)
    model.load_state_dict(state, strict=True)
    return dict(lora_modules=len(merged), replaced=sorted(plain), ignored=ignored)


def convert_osediff(sd21_folder: str, release_path: str, out_dir: str,
                    lora_alpha: float = PEFT_DEFAULT_ALPHA) -> Dict:
    """Write ``out_dir/unet`` and ``out_dir/vae`` (diffusers, safetensors): SD2.1's
    weights with OSEDiff's LoRA merged at ``lora_alpha / rank``; returns a summary."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    release = load_release(release_path)
    folder = require_local_path(sd21_folder, 'the local SD2.1-base folder')
    unet = UNet2DConditionModel.from_pretrained(folder, subfolder='unet')
    vae = AutoencoderKL.from_pretrained(folder, subfolder='vae')
    summary = dict(
        unet=_merge_into(unet, release['state_dict_unet'], int(release['rank_unet']),
                         lora_alpha),
        # OSEDiff saves its own VAE variant's 'skip' tensors too; SD's VAE has none
        vae=_merge_into(vae, release['state_dict_vae'], int(release['rank_vae']),
                        lora_alpha, ignore=('skip',)),
        lora_alpha=lora_alpha)
    os.makedirs(out_dir, exist_ok=True)
    unet.save_pretrained(osp.join(out_dir, 'unet'))
    vae.save_pretrained(osp.join(out_dir, 'vae'))
    summary['text_encoder'] = copy_text_encoder(folder, out_dir)
    return summary


def copy_text_encoder(sd21_folder: str, out_dir: str) -> bool:
    """SD2.1's ``text_encoder/`` + ``tokenizer/`` copied beside the converted UNet, so the
    teacher's null prompt is CLIP's encoding of '' as in training (OSEDiff and AdcSR use
    SD2.1's encoder unchanged); False when the SD2.1 folder has none."""
    import shutil
    subs = ('text_encoder', 'tokenizer')
    if not all(osp.isdir(osp.join(sd21_folder, s)) for s in subs):
        return False
    for sub in subs:
        shutil.copytree(osp.join(sd21_folder, sub), osp.join(out_dir, sub), dirs_exist_ok=True)
    return True
