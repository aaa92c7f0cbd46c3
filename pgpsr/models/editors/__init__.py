"""Editors: one algorithm per folder."""
from .peer_sr import PeerSR
from .pgp_diffsr import PGPDiffSR

__all__ = ['PeerSR', 'PGPDiffSR']
