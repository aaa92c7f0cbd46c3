"""Small shared helpers."""
from .pretrained import MissingWeightsError, load_weights_file, require_local_path

__all__ = ['MissingWeightsError', 'load_weights_file', 'require_local_path']
