"""What tools/train.py and tools/test.py share: config loading, validation, Runner set-up."""
import os
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from pgpsr import register_all_modules

REQUIRED_SCOPE = 'pgpsr'


def load_config(path: str, cfg_options: Optional[Dict] = None) -> Config:
    """Read a config file and apply ``--cfg-options``; errors name the file or key.

    An unknown top-level key is refused in ``cfg_options`` and warned about in the file
    (both with the closest known key), and so is an option inside a component's dict that
    its class does not take; ``val_dataloader=None`` turns validation off.
    """
    from .component_keys import check_component_keys
    from .config_keys import check_cfg_options, check_variable_overrides, warn_unknown_keys
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file {path} does not exist')
    check_cfg_options(cfg_options)
    cfg = Config.fromfile(path)
    check_variable_overrides(cfg, cfg_options)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
        check_component_keys(cfg, cfg_options)
    warn_unknown_keys(cfg)
    if 'val_dataloader' in cfg.keys() and cfg.val_dataloader is None:
        drop_validation(cfg)
    cfg.setdefault('default_scope', REQUIRED_SCOPE)
    return cfg


def drop_validation(cfg: Config) -> None:
    """No validation: mmengine's Runner wants val_dataloader, val_cfg and val_evaluator
    all set or all None, so a run on your own photos needs no validation folder."""
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None


def add_cfg_options_arg(parser, cfg_example: str) -> None:
    """OpenMMLab's ``--cfg-options k=v ...``, for every tool that reads a config."""
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help=f'override config keys, e.g. {cfg_example}')


def add_runner_args(parser, cfg_example: str) -> None:
    """The arguments tools/train.py and tools/test.py share (OpenMMLab's): config
    overrides, the launcher and the local rank that torchrun or dist_*.sh pass."""
    add_cfg_options_arg(parser, cfg_example)
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_runner_args(parser, argv=None):
    """Parse, and expose the local rank as ``LOCAL_RANK`` (mmengine reads it there)."""
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def prepare_environment(cfg: Config, launcher: str) -> None:
    """Register pgpsr's modules, pick gloo without GPUs, write the embedded data if used."""
    register_all_modules()
    init_default_scope(cfg.get('default_scope', REQUIRED_SCOPE))
    if launcher == 'none' and int(os.environ.get('WORLD_SIZE', '1')) > 1:
        raise RuntimeError('WORLD_SIZE>1 but --launcher none; use tools/dist_train.sh')
    if launcher == 'pytorch' and not torch.cuda.is_available():
        _init_cpu_distributed(cfg)
    _prepare_embedded_data(cfg)


def finish_distributed() -> None:
    """Destroy the process group before the interpreter exits. Without it gloo's worker
    threads can still hold work objects during finalisation, and a rank dies of SIGABRT
    ("terminate called without an active exception") after finishing its work; seen
    here in full-suite runs of the 2-process tests (pytorch/pytorch#179291, #190489).
    Garbage is collected first: a finished runner's FSDP modules sit in reference cycles
    and hold the group, which would then outlive ``destroy_process_group`` and be freed
    during finalisation all the same (a CI run died so at the end of an FSDP test)."""
    import gc

    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        gc.collect()
        dist.barrier()
        dist.destroy_process_group()


def _init_cpu_distributed(cfg: Config) -> None:
    """gloo process group + CPU DDP: mmengine's init_dist always calls cuda.set_device."""
    import torch.distributed as dist
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel', device_ids=None,
                                     broadcast_buffers=False)
    else:  # e.g. AdcSR's MMSeparateDistributedDataParallel: CPU modules take no device ids
        cfg.model_wrapper_cfg.setdefault('device_ids', None)


def _prepare_embedded_data(cfg: Config) -> None:
    """Write the embedded photos once (rank 0 first, the others wait) when a config uses them."""
    from mmengine.dist import barrier, get_rank
    if get_rank() == 0:
        _write_embedded_data(cfg)
    barrier()


def _write_embedded_data(cfg: Config) -> None:
    from pgpsr.datasets.embedded import DEFAULT_ROOT, prepare_embedded_photos
    loaders = [cfg.get(k) or {} for k in ('train_dataloader', 'val_dataloader',
                                          'test_dataloader')]
    if any(loader.get('dataset', {}).get('data_root') == DEFAULT_ROOT for loader in loaders):
        prepare_embedded_photos(DEFAULT_ROOT)
