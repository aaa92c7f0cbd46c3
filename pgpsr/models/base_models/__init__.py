"""What several editors share (as mmagic's ``models/base_models``): ``sr_predict``, the
test-time mixin giving every SR model tiled sampling and mmagic predictions."""
from .sr_predict import SHARED_TEST_CFG, SRPredictMixin, merge_config

__all__ = ['SHARED_TEST_CFG', 'SRPredictMixin', 'merge_config']
