"""Benchmark back-ends and report writers of tools/analysis_tools/ and tools/demo.py:
they run models through ``pgpsr.apis`` and never read repository paths (the tools pass
configs, checkpoints and folders in)."""
from .analysis_setup import fixed_batches, model_and_batches

__all__ = ['fixed_batches', 'model_and_batches']
