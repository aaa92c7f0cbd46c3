"""What the analysis tools share: a model from config + checkpoint, and fixed data batches."""
from itertools import islice
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config
from mmengine.runner import Runner

from pgpsr.apis import init_model, load_config, prepare_environment
from pgpsr.engine.hooks.progressive_prune_hook import calibration_loader_cfg


def model_and_batches(config: str, checkpoint: Optional[str], num_batches: int,
                      cfg_options: Optional[Dict] = None, split: str = 'calibration',
                      device: str = 'cpu') -> Tuple[Config, object, List[Dict]]:
    """The config, the model (eval mode, pruned checkpoints rebuild themselves) and the
    first ``num_batches`` batches of ``split`` (the same ones on every call). The default,
    ``calibration``, is what ProgressivePruneHook scores on: a fixed slice of the training
    data, so one-shot pruning and redundancy analysis never select on evaluation data."""
    cfg = load_config(config, cfg_options)
    prepare_environment(cfg, 'none')
    model = init_model(cfg, checkpoint, device)
    return cfg, model, fixed_batches(cfg, split, num_batches)


def fixed_batches(cfg: Config, split: str, num_batches: int) -> List[Dict]:
    """The first ``num_batches`` batches of ``split`` (``calibration`` or a loader key)."""
    loader_cfg = (calibration_loader_cfg(cfg, None) if split == 'calibration'
                  else cfg.get(split))
    if loader_cfg is None:
        raise KeyError(f'the config has no {split} to draw analysis batches from')
    loader = Runner.build_dataloader(loader_cfg.to_dict() if hasattr(loader_cfg, 'to_dict')
                                     else dict(loader_cfg), seed=0)
    return list(islice(iter(loader), num_batches))
