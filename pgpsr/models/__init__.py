"""Models: editors, backbones, codecs, losses (imported so their classes register)."""
from .autoencoders import *  # noqa: F401, F403
from .backbones import *  # noqa: F401, F403
from .data_preprocessors import *  # noqa: F401, F403
from .losses import *  # noqa: F401, F403
from .necks import *  # noqa: F401, F403
from .editors import *  # noqa: F401, F403
