"""What several editors share (as mmagic's ``models/base_models``): ``sr_predict``, the
test-time mixin giving every SR model tiled sampling and mmagic predictions, and
``frozen_teacher``, how the distilling editors freeze their teacher."""
from .frozen_teacher import FrozenTeacherMixin, freeze
from .sr_predict import SHARED_TEST_CFG, SRPredictMixin, merge_config

__all__ = ['FrozenTeacherMixin', 'SHARED_TEST_CFG', 'SRPredictMixin', 'freeze',
           'merge_config']
