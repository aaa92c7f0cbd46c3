from .adcsr import AdcSR
from .student import AdcSRStudent

__all__ = ['AdcSR', 'AdcSRStudent']
