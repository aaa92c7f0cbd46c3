"""What the analysis tools share: a model from config + checkpoint, and fixed data batches."""
from itertools import islice
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config
from mmengine.runner import Runner

from .inference import init_model
from .runner_setup import load_config, prepare_environment


def model_and_batches(config: str, checkpoint: Optional[str], num_batches: int,
                      cfg_options: Optional[Dict] = None, split: str = 'val_dataloader',
                      device: str = 'cpu') -> Tuple[Config, object, List[Dict]]:
    """The config, the model (eval mode, pruned checkpoints rebuild themselves) and the
    first ``num_batches`` batches of ``split`` (the same ones on every call)."""
    cfg = load_config(config, cfg_options)
    prepare_environment(cfg, 'none')
    model = init_model(cfg, checkpoint, device)
    loader_cfg = cfg.get(split)
    if loader_cfg is None:
        raise KeyError(f'{config} has no {split} to draw analysis batches from')
    loader = Runner.build_dataloader(loader_cfg.to_dict() if hasattr(loader_cfg, 'to_dict')
                                     else dict(loader_cfg), seed=0)
    return cfg, model, list(islice(iter(loader), num_batches))
