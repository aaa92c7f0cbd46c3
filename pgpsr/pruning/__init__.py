"""Block pruning, in separate pieces: feature collection and redundancy measures,
importance scorers, the selection policy, the removal op and complexity measurement."""
from .channel_slicing import scale_widths, slice_weights
from .complexity import backbone_step_macs, complexity, count_params
from .importance import BlockScorer, build_scorer, criteria, score_blocks
from .measures import MEASURES, cosine_dissimilarity, kl_channel_softmax
from .policy import check_stage, select_blocks
from .prune_step import prune_step
from .redundancy import analyse_redundancy, block_redundancy
from .surgery import drop_blocks, prune_ema, prune_optimizer

__all__ = ['MEASURES', 'BlockScorer', 'analyse_redundancy', 'backbone_step_macs',
           'block_redundancy', 'build_scorer', 'check_stage', 'complexity', 'criteria',
           'cosine_dissimilarity', 'count_params', 'drop_blocks', 'kl_channel_softmax',
           'prune_ema', 'prune_optimizer', 'prune_step', 'scale_widths', 'score_blocks',
           'select_blocks', 'slice_weights']
