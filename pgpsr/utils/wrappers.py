"""The model inside a DDP / separate-DDP wrapper (or the model itself when unwrapped)."""
from mmengine.model import is_model_wrapper


def unwrap(module):
    return module.module if is_model_wrapper(module) else module
