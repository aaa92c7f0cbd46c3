"""High-level entry points (config/Runner set-up; inference on arrays)."""
from .inference import init_model, super_resolve
from .runner_setup import load_config, prepare_environment

__all__ = ['init_model', 'super_resolve', 'load_config', 'prepare_environment']
