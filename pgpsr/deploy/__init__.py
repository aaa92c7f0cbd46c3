"""Deployment: ONNX export of the compressed models and the inference backends that run
an exported graph in place of PyTorch's forward (tiling, colour fix and PNG streaming stay
pgpsr's)."""
from .compile_backend import compile_refusal, use_torch_compile
from .onnx_export import DEFAULT_OPSET, ExportError, export_onnx, graph_kind
from .onnx_backend import OnnxGraph, use_onnxruntime

__all__ = ['DEFAULT_OPSET', 'ExportError', 'export_onnx', 'graph_kind', 'OnnxGraph',
           'use_onnxruntime', 'compile_refusal', 'use_torch_compile']
