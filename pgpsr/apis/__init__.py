"""High-level entry points (config/Runner set-up; inference on arrays and files)."""
from .runner_setup import load_config, prepare_environment

__all__ = ['load_config', 'prepare_environment']
