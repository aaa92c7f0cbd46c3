"""AdcSR's released files -> what pgpsr's ``configs/adcsr/adcsr_release_x4.py`` loads.

The release (Guaishou74851/AdcSR) ships three files besides SD2.1-base:
- ``osediff.pkl``: the teacher as ``{'unet': state_dict, 'vae': state_dict}``, full
  tensors for diffusers' SD2.1 ``UNet2DConditionModel`` / ``AutoencoderKL``;
- ``halfDecoder.ckpt``: the stage-1 half-width VAE decoder, ``state_dict`` keys under
  ``decoder.`` (a Lightning checkpoint, so it is unpickled in full: a trusted file);
- ``net_params_<epoch>.pkl``: the student ``Net`` saved through DataParallel/DDP
  (``module.body.1.*``: the sliced UNet, ``module.body.1.body.*`` re-listing the same
  modules; ``module.body.2.*``: its trained copy of the decoder's mid block).
The teacher becomes a diffusers folder (``OUT/osediff``); the student a pgpsr checkpoint
(``OUT/adcsr_student.pth``, ``generator.*`` keys) for ``feature_point='mid_block'``: the
sliced UNet, its trained mid block (``body_mid``) and the whole half decoder, as the
reference's test.py runs them (its frozen mid block is the stage-2 targets' path).
"""
import os
import os.path as osp
from typing import Dict, Tuple

import torch

from pgpsr.utils.pretrained import require_local_path
from .osediff_conversion import copy_text_encoder

UNET, MID = 'generator.unet.unet.', 'generator.body_mid.'


def _load(path: str, what: str):
    return torch.load(require_local_path(path, what), map_location='cpu', weights_only=False)


def student_weights(net_params: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """``net_params_<epoch>.pkl`` -> the student's UNet and mid-block tensors, pgpsr keys."""
    out, unknown = {}, []
    for key, value in net_params.items():
        k = key[len('module.'):] if key.startswith('module.') else key
        if k.startswith('body.1.body.'):
            continue  # the same tensors as body.1's own modules
        if k.startswith('body.1.'):
            out[UNET + k[len('body.1.'):]] = value
        elif k.startswith('body.2.'):
            out[MID + k[len('body.2.'):]] = value
        else:
            unknown.append(key)
    if unknown or not out:
        raise KeyError(f'not an AdcSR student (net_params_*.pkl of model.py\'s Net): '
                       f'unexpected keys {unknown[:5]}' if unknown else 'no Net tensors')
    return out


def decoder_weights(ckpt: Dict) -> Dict[str, torch.Tensor]:
    """``halfDecoder.ckpt`` -> the half decoder (stage 1's, frozen in stage 2)."""
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
    out = {'generator.decoder.' + k[len('decoder.'):]: v for k, v in state.items()
           if k.startswith('decoder.')}
    if not out:
        raise KeyError('not a halfDecoder.ckpt: no `decoder.` tensors under state_dict')
    return out


def convert_adcsr(sd21_folder: str, osediff_path: str, decoder_path: str, student_path: str,
                  out_dir: str) -> Tuple[str, str]:
    """Write ``out_dir/osediff/{unet,vae}`` and ``out_dir/adcsr_student.pth``; returns
    their paths."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    folder = require_local_path(sd21_folder, 'the local SD2.1-base folder')
    teacher = _load(osediff_path, "AdcSR's osediff.pkl")
    if not (isinstance(teacher, dict) and {'unet', 'vae'} <= set(teacher)):
        raise KeyError(f'{osediff_path} is not AdcSR\'s osediff.pkl (a dict with `unet` '
                       'and `vae` state dicts)')
    teacher_dir = osp.join(out_dir, 'osediff')
    for cls, sub in ((UNet2DConditionModel, 'unet'), (AutoencoderKL, 'vae')):
        model = cls.from_pretrained(folder, subfolder=sub)
        model.load_state_dict(teacher[sub], strict=True)
        model.save_pretrained(osp.join(teacher_dir, sub))
    copy_text_encoder(folder, teacher_dir)
    state = {**student_weights(_load(student_path, 'the AdcSR student (net_params_*.pkl)')),
             **decoder_weights(_load(decoder_path, "AdcSR's halfDecoder.ckpt"))}
    for name in ('weight', 'bias'):  # the latent 1x1 conv of the teacher's VAE
        state[f'generator.post_quant_conv.{name}'] = teacher['vae'][f'post_quant_conv.{name}']
    os.makedirs(out_dir, exist_ok=True)
    student = osp.join(out_dir, 'adcsr_student.pth')
    torch.save(dict(state_dict=state, meta=dict(converted_from=[
        osp.basename(p) for p in (osediff_path, decoder_path, student_path)])), student)
    return teacher_dir, student
