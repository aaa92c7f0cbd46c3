"""Local-only loading of pretrained weights, with one clear message for what is missing."""
import os.path as osp
import pickle
from typing import Dict

import torch


class MissingWeightsError(FileNotFoundError):
    """A config names pretrained weights that are not on this machine."""


def require_local_path(path: str, key: str) -> str:
    """Return ``path`` expanded, or raise naming the config key and what was expected."""
    full = osp.abspath(osp.expanduser(str(path)))
    if not osp.exists(full):
        raise MissingWeightsError(
            f'{key}: {full} does not exist. pgpsr never downloads weights at run time; '
            'put the files there (a diffusers directory with config.json, or a '
            '.safetensors/.pth file) or change the config key.')
    return full


def load_weights_file(path: str, what: str = 'weights file', prefix: str = '',
                      training_checkpoint: bool = False) -> Dict[str, torch.Tensor]:
    """The one loader of weight files: a state dict from a ``.safetensors`` file or a torch
    checkpoint (``state_dict`` key ok), optionally only the keys under ``prefix`` (stripped).

    ``what`` names the config key in errors. A full training checkpoint (optimizer, logger
    state: not loadable with ``weights_only``) is accepted only with
    ``training_checkpoint=True``, for pgpsr's own checkpoints named by a config (a teacher);
    elsewhere it is refused with the way to strip it."""
    path = require_local_path(path, what)
    if path.endswith('.safetensors'):
        from safetensors.torch import load_file
        state = load_file(path)
    else:
        try:
            obj = torch.load(path, map_location='cpu', weights_only=True)
        except pickle.UnpicklingError as e:
            if not training_checkpoint:
                raise ValueError(
                    f'{what}: {path} holds more than weights (a full training checkpoint, '
                    'with optimizer and logger state, is not loaded as pretrained weights); '
                    'keep only the weights with `python tools/analysis_tools/'
                    f'strip_checkpoint.py {path} OUT.pth`') from e
            obj = torch.load(path, map_location='cpu', weights_only=False)
        state = obj.get('state_dict', obj) if isinstance(obj, dict) else obj
    if prefix:
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        if not state:
            raise KeyError(f'{what}: {path} has no weights under {prefix!r}')
    return state
