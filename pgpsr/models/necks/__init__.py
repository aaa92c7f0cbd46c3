"""Necks: the phase-exchange adapter."""
from .phase_exchange_adapter import PhaseExchangeAdapter

__all__ = ['PhaseExchangeAdapter']
