"""Editors: one algorithm per folder."""
from .adcsr import AdcSR
from .peer_sr import PeerSR
from .pgp_diffsr import PGPDiffSR

__all__ = ['AdcSR', 'PeerSR', 'PGPDiffSR']
