"""``torch.compile`` (inductor) as the tile forward's backend, where it can build.

Inductor compiles C++ against ATen's vectorised CPU kernels; in a process that runs
ATen's DEFAULT capability (``ATEN_CPU_CAPABILITY=default``, or a CPU without AVX2) its
generated code does not compile (torch 2.14: "'at::vec' has not been declared"), so that
case is refused up front with the alternatives instead of failing in the first tile.
"""
from typing import Optional

import torch


def compile_refusal() -> Optional[str]:
    """Why torch.compile cannot run the tile forward here, or None."""
    capability = torch.backends.cpu.get_cpu_capability()
    if capability == 'DEFAULT':
        return ("torch.compile needs ATen's vectorised CPU kernels, and this process runs "
                'the DEFAULT capability (ATEN_CPU_CAPABILITY=default, or a CPU without '
                "AVX2), where inductor's generated C++ does not build; use --backend "
                'onnxruntime or --backend torch')
    return None


def use_torch_compile(model):
    """``model`` with its tile forward (``sample``) compiled by inductor (on first use);
    RuntimeError where it cannot build (:func:`compile_refusal`)."""
    why = compile_refusal()
    if why:
        raise RuntimeError(why)
    model.sample = torch.compile(model.sample, dynamic=False)
    return model
