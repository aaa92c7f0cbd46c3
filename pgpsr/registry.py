"""pgpsr's registries: children of mmagic's (hence of mmengine's), scope ``pgpsr``.

Configs with ``default_scope='pgpsr'`` reach pgpsr's own classes first, then mmagic's and
mmengine's (e.g. ``type='mmagic.PSNR'`` or plain ``'PSNR'``). ``locations`` make the
registry import the modules that register into it on first use.
"""
from mmagic.registry import DATA_SAMPLERS as MMAGIC_DATA_SAMPLERS
from mmagic.registry import DATASETS as MMAGIC_DATASETS
from mmagic.registry import EVALUATORS as MMAGIC_EVALUATORS
from mmagic.registry import HOOKS as MMAGIC_HOOKS
from mmagic.registry import LOOPS as MMAGIC_LOOPS
from mmagic.registry import METRICS as MMAGIC_METRICS
from mmagic.registry import MODEL_WRAPPERS as MMAGIC_MODEL_WRAPPERS
from mmagic.registry import MODELS as MMAGIC_MODELS
from mmagic.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMAGIC_OPTIM_WRAPPER_CONSTRUCTORS
from mmagic.registry import OPTIM_WRAPPERS as MMAGIC_OPTIM_WRAPPERS
from mmagic.registry import OPTIMIZERS as MMAGIC_OPTIMIZERS
from mmagic.registry import PARAM_SCHEDULERS as MMAGIC_PARAM_SCHEDULERS
from mmagic.registry import TRANSFORMS as MMAGIC_TRANSFORMS
from mmagic.registry import VISBACKENDS as MMAGIC_VISBACKENDS
from mmagic.registry import VISUALIZERS as MMAGIC_VISUALIZERS
from mmengine.registry import STRATEGIES as MMENGINE_STRATEGIES
from mmengine.registry import Registry

MODELS = Registry('model', parent=MMAGIC_MODELS, locations=['pgpsr.models'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMAGIC_MODEL_WRAPPERS,
                          locations=['pgpsr.models'])
DATASETS = Registry('dataset', parent=MMAGIC_DATASETS, locations=['pgpsr.datasets'])
DATA_SAMPLERS = Registry('data sampler', parent=MMAGIC_DATA_SAMPLERS,
                         locations=['pgpsr.datasets'])
TRANSFORMS = Registry('transform', parent=MMAGIC_TRANSFORMS,
                      locations=['pgpsr.datasets.transforms'])
HOOKS = Registry('hook', parent=MMAGIC_HOOKS, locations=['pgpsr.engine'])
LOOPS = Registry('loop', parent=MMAGIC_LOOPS, locations=['pgpsr.engine'])
OPTIMIZERS = Registry('optimizer', parent=MMAGIC_OPTIMIZERS, locations=['pgpsr.engine'])
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=MMAGIC_OPTIM_WRAPPERS,
                          locations=['pgpsr.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry('optimizer wrapper constructor',
                                      parent=MMAGIC_OPTIM_WRAPPER_CONSTRUCTORS,
                                      locations=['pgpsr.engine'])
PARAM_SCHEDULERS = Registry('parameter scheduler', parent=MMAGIC_PARAM_SCHEDULERS,
                            locations=['pgpsr.engine'])
METRICS = Registry('metric', parent=MMAGIC_METRICS, locations=['pgpsr.evaluation'])
EVALUATORS = Registry('evaluator', parent=MMAGIC_EVALUATORS, locations=['pgpsr.evaluation'])
# FlexibleRunner strategies (mmagic has no child of mmengine's): DeviceFSDPStrategy
STRATEGIES = Registry('strategy', parent=MMENGINE_STRATEGIES, locations=['pgpsr.engine'])
# pruning criteria: block scorers by name (``criterion='cosine'``), pgpsr's own
PRUNE_SCORERS = Registry('prune scorer', locations=['pgpsr.pruning'])
# Visualizers: mmagic's (reached through these children).
VISUALIZERS = Registry('visualizer', parent=MMAGIC_VISUALIZERS)
VISBACKENDS = Registry('vis_backend', parent=MMAGIC_VISBACKENDS)
