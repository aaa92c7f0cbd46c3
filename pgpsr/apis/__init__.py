"""High-level entry points (config/Runner set-up; inference on arrays)."""
from .analysis_setup import model_and_batches
from .inference import (init_model, super_resolve, super_resolve_float, super_resolve_to_canvas,
                        upscale_alpha)
from .runner_setup import finish_distributed, load_config, prepare_environment

__all__ = ['finish_distributed', 'init_model', 'load_config', 'model_and_batches', 'prepare_environment',
           'super_resolve', 'super_resolve_float', 'super_resolve_to_canvas', 'upscale_alpha']
