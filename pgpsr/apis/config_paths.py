"""Every local path a config needs, checked once before a run: all missing ones are listed
in one message, each with its config key and how to make it, instead of one failure per
attempt (weights, data folders, the checkpoint to start from)."""
import os.path as osp
from typing import Any, Iterator, List, Tuple

from mmengine.config import Config

# config key (last part) -> what it is and how to make it
HINTS = {
    'pretrained': 'a local diffusers folder or weights file (docs/pretrained_backbones.md; '
                  'tools/model_converters/ for OSEDiff / AdcSR releases)',
    'teacher_ckpt': 'the trained teacher checkpoint (train its config with tools/train.py)',
    'decoder_ckpt': 'the stage-1 checkpoint (tools/train.py on the stage-1 config)',
    'prompt_embeds': 'a prompt file (tools/misc/encode_prompt.py)',
    'load_from': 'the checkpoint to start from (train the config it comes from, e.g. the '
                 'unpruned parent, with tools/train.py)',
}
SENTINELS = {'sliced', 'from_checkpoint'}
PATH_KEYS = ('pretrained', 'teacher_ckpt', 'decoder_ckpt', 'prompt_embeds')


def _walk(node: Any, key: str) -> Iterator[Tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f'{key}.{k}' if key else str(k))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _walk(v, f'{key}[{i}]')
    else:
        yield key, node


def _data_hint(path: str) -> str:
    if 'data/photos' in path:
        return 'the real-photo set: make data'
    if 'DF2K' in path:
        return 'DF2K sub-images: tools/dataset_converters/extract_subimages.py'
    return ('a data folder (a released test set as LR/ + HR/, or your own; README "Data '
            'and degradations")')


def _dataset_paths(loader_key: str, loader) -> Iterator[Tuple[str, str]]:
    dataset = (loader or {}).get('dataset') or {}
    root = dataset.get('data_root') or ''
    for sub in ('gt_folder', 'lq_folder'):
        if dataset.get(sub) is not None:
            yield f'{loader_key}.dataset.{sub}', osp.join(root, dataset[sub])


def _train_command(config: str) -> str:
    """How to train ``config`` here: one process for a tiny config or without a GPU,
    else the 8-GPU launcher of the real-size recipes."""
    import torch
    if '_tiny_' in osp.basename(config) or not torch.cuda.is_available():
        return f'tools/train.py {config}'
    return f'tools/dist_train.sh {config} 8, or tools/train.py {config}'


def missing_paths(cfg: Config, loaders: Tuple[str, ...] = ('train_dataloader',),
                  embedded_root: str = '') -> List[str]:
    """``'key = path: hint'`` for every path ``cfg`` names that does not exist: model
    weights, ``load_from`` (unless resuming), and the folders of ``loaders``."""
    found = []
    for key, value in _walk(cfg.get('model', {}), 'model'):
        last = key.rsplit('.', 1)[-1]
        if last in PATH_KEYS and isinstance(value, str) and value not in SENTINELS \
                and not osp.exists(value):
            found.append((key, value, HINTS[last]))
    if cfg.get('load_from') and not cfg.get('resume') and not osp.exists(cfg.load_from):
        parent = cfg.get('parent_config')
        found.append(('load_from', cfg.load_from, HINTS['load_from'] if not parent else
                      f'the SR parent: train {parent} first ({_train_command(parent)})'))
    for name in loaders:
        for key, path in _dataset_paths(name, cfg.get(name)):
            on_demand = embedded_root and osp.normpath(path).startswith(
                osp.normpath(embedded_root))
            if not on_demand and not osp.isdir(path):
                found.append((key, path, _data_hint(path)))
    return [f'{key} = {path}: {hint}' for key, path, hint in found]


def check_paths(cfg: Config, loaders: Tuple[str, ...]) -> None:
    """Raise one FileNotFoundError listing every missing path (see ``missing_paths``)."""
    from pgpsr.datasets.embedded import DEFAULT_ROOT
    missing = missing_paths(cfg, loaders, DEFAULT_ROOT)
    if missing:
        raise FileNotFoundError(f'{len(missing)} path(s) this config needs do not exist:\n  '
                                + '\n  '.join(missing))
