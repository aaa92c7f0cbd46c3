"""Build a diffusers model from what a user has on disk, offline, or say what is missing.

Three sources, in the order they are tried:
- ``pretrained=DIR`` (+ ``subfolder``): a diffusers folder (``config.json`` + weights),
  e.g. ``pretrained/stable-diffusion-2-1-base`` with ``subfolder='unet'``;
- ``pretrained=FILE.safetensors`` (or ``.bin``/``.pth``) + ``config=DIR_or_config.json``:
  diffusers-layout weights in one file;
- ``config=dict(...)``: the architecture only, randomly initialised (counting, tests).
"""
import json
import os.path as osp
from typing import Dict, Optional, Type, Union

import torch

from pgpsr.utils.pretrained import MissingWeightsError, load_weights_file, require_local_path

WEIGHT_SUFFIXES = ('.safetensors', '.bin', '.pth', '.pt', '.ckpt')


def _read_config(config: Union[str, Dict], key: str) -> Dict:
    if isinstance(config, dict):
        return dict(config)
    path = require_local_path(config, key)
    if osp.isdir(path):
        path = osp.join(path, 'config.json')
        require_local_path(path, key)
    with open(path) as f:
        return json.load(f)


def build_diffusers_model(cls: Type, owner: str, pretrained: Optional[str] = None,
                          subfolder: Optional[str] = None,
                          config: Optional[Union[str, Dict]] = None,
                          torch_dtype: Optional[torch.dtype] = None, prefix: str = ''):
    """Instantiate ``cls`` (a diffusers ``ModelMixin``) from a folder, a file or a config.

    ``owner`` names the config section in error messages (e.g. ``DiffusersUNetDenoiser``);
    ``prefix``: the model's key prefix inside a weights file (e.g. ``'codec.vae.'`` in a
    stripped pgpsr checkpoint).
    """
    if pretrained is None and config is None:
        raise ValueError(f'{owner}: give `pretrained` (a diffusers folder or weights file) '
                         'or `config` (an architecture dict / config.json)')
    if pretrained is not None:
        path = require_local_path(pretrained, f'{owner}.pretrained')
        if osp.isdir(path):
            folder = osp.join(path, subfolder) if subfolder else path
            if not osp.isfile(osp.join(folder, 'config.json')):
                found = sorted(d for d in (osp.basename(p) for p in _subdirs(path)))
                raise MissingWeightsError(
                    f'{owner}.pretrained: no config.json in {folder} (subfolder='
                    f'{subfolder!r}); a diffusers model folder holds config.json and '
                    f'diffusion_pytorch_model.safetensors. Subfolders of {path}: {found}')
            return cls.from_pretrained(path, subfolder=subfolder, local_files_only=True,
                                       torch_dtype=torch_dtype, low_cpu_mem_usage=False)
        if not path.endswith(WEIGHT_SUFFIXES):
            raise ValueError(f'{owner}.pretrained: {path} is neither a folder nor a weights '
                             f'file ({", ".join(WEIGHT_SUFFIXES)})')
        if config is None:
            raise ValueError(f'{owner}: a single weights file ({path}) needs `config` (its '
                             'config.json or folder) to know the architecture')
    model = cls.from_config(_read_config(config, f'{owner}.config'))
    if pretrained is not None:
        state = load_weights_file(path, f'{owner}.pretrained', prefix)
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ValueError(
                f'{owner}.pretrained: {path} does not match the architecture of `config`: '
                f'{len(missing)} missing keys (e.g. {missing[:3]}), {len(unexpected)} '
                f'unexpected (e.g. {unexpected[:3]}). The file must hold diffusers-layout '
                'keys (original Stable Diffusion checkpoints need converting first).')
    if torch_dtype is not None:
        model = model.to(torch_dtype)
    return model


def widened_input_conv(old: torch.nn.Conv2d, extra: int) -> torch.nn.Conv2d:
    """``old`` with ``extra`` more input channels whose weights are zero: the layer computes
    what it did for the original channels whatever the new ones hold (conditioning a
    pretrained model by concatenation starts from the pretrained function)."""
    new = torch.nn.Conv2d(old.in_channels + extra, old.out_channels, old.kernel_size,
                          old.stride, old.padding)
    with torch.no_grad():
        new.weight.zero_()
        new.weight[:, :old.in_channels] = old.weight
        new.bias.copy_(old.bias)
    return new


def _subdirs(path: str):
    import os
    return [osp.join(path, d) for d in os.listdir(path) if osp.isdir(osp.join(path, d))]
