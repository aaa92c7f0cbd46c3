"""Mixed precision on a CPU: mmengine's AmpOptimWrapper asserts an accelerator.

bf16 keeps fp32's exponent range, so no loss scaling is needed (fp16 with dynamic loss
scaling stays AmpOptimWrapper's job on GPUs). ``tools/train.py --amp`` picks this
wrapper when no GPU is present.
"""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from pgpsr.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """An OptimWrapper whose forward context runs under ``torch.autocast('cpu', dtype)``."""

    def __init__(self, *args, dtype: str = 'bfloat16', **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if dtype not in ('bfloat16', 'float16'):
            raise ValueError(f'CPUAutocastOptimWrapper: dtype must be bfloat16 or float16 '
                             f'(float16 without loss scaling underflows), got {dtype!r}')
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        with super().optim_context(model), torch.autocast('cpu', dtype=self.cast_dtype):
            yield
