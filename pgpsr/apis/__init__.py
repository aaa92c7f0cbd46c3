"""Entry points: config/Runner set-up and inference on arrays (what tools/train.py,
tools/test.py and tools/infer.py need to run a model). Benchmarks and reports live in
``pgpsr.analysis``, weight converters in ``pgpsr.converters``."""
from .inference import (init_model, super_resolve, super_resolve_float, super_resolve_to_canvas,
                        super_resolve_to_png, upscale_alpha)
from .runner_setup import finish_distributed, load_config, prepare_environment
from .training import train

__all__ = ['finish_distributed', 'init_model', 'load_config', 'prepare_environment',
           'super_resolve', 'super_resolve_float', 'super_resolve_to_canvas',
           'super_resolve_to_png', 'train', 'upscale_alpha']
