"""Data preprocessors (normalisation; batched degradations)."""
from .degrading_preprocessor import DegradingDataPreprocessor

__all__ = ['DegradingDataPreprocessor']
