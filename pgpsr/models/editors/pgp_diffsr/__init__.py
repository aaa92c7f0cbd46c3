from .pgp_diffsr import PGPDiffSR

__all__ = ['PGPDiffSR']
