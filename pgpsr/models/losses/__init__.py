"""Training losses, built from config dicts with a ``loss_weight`` each.

mmagic's registered pixel and GAN losses are used as they are (``L1Loss``, ``MSELoss``,
``GANLoss``; pgpsr's registry reaches them through its parent), as mmagic's SRGAN does;
pgpsr adds ``LPIPSLoss`` (a frozen LPIPS network, skipped without its weights).
"""
from .lpips_loss import LPIPSLoss

__all__ = ['LPIPSLoss']
