"""Editors: one algorithm per folder."""
from .adcsr import AdcSR
from .codec_pretrainer import CodecPretrainer
from .peer_sr import PeerSR
from .pgp_diffsr import PGPDiffSR

__all__ = ['AdcSR', 'CodecPretrainer', 'PeerSR', 'PGPDiffSR']
