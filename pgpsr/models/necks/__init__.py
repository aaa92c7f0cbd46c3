"""Necks: the phase-exchange adapter, and its export beside a diffusers UNet."""
from .adapter_export import attach_adapter, save_adapter
from .phase_exchange_adapter import PhaseExchangeAdapter

__all__ = ['PhaseExchangeAdapter', 'attach_adapter', 'save_adapter']
