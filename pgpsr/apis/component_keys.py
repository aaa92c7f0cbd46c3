"""``--cfg-options`` keys inside a component's dict that its class does not take.

``--cfg-options train_cfg.max_iter=5`` used to end in a 300-line ``TypeError`` from deep
inside the Runner, after the model was built. A dotted option whose parent dict names a
registered ``type`` is checked against that class's constructor here, before anything is
built, and refused with the closest key it does take. Classes whose ``**kwargs`` end
open (at ``object``) cannot be checked this way and are left alone, as are dicts without
a ``type`` (e.g. ``model.test_cfg``, which the model reads key by key).
"""
import difflib
import inspect
from typing import Dict, Iterable, Optional

from .config_keys import ConfigKeyError

# keys a builder takes out of a component's dict before the class sees the rest
CONSUMED = {'type', '_scope_', '_delete_', 'constructor', 'paramwise_cfg'}


def _registries():
    from pgpsr import registry as r
    return (r.MODELS, r.LOOPS, r.HOOKS, r.DATASETS, r.TRANSFORMS, r.DATA_SAMPLERS,
            r.OPTIM_WRAPPERS, r.OPTIMIZERS, r.PARAM_SCHEDULERS, r.METRICS, r.EVALUATORS,
            r.STRATEGIES, r.MODEL_WRAPPERS)


def registered_class(type_name) -> Optional[type]:
    """The class a config's ``type`` names, in the first pgpsr registry (or its
    parents) that has it; None for anything else."""
    if not isinstance(type_name, str):
        return type_name if inspect.isclass(type_name) else None
    for registry in _registries():
        try:
            cls = registry.get(type_name)
        except KeyError:
            cls = None
        if cls is not None:
            return cls
    return None


def accepted_keys(cls) -> Optional[set]:
    """The keyword arguments ``cls`` takes: its constructor's, and where that forwards
    ``**kwargs`` up the class hierarchy (``super().__init__(**kwargs)``: mmengine's
    datasets), the first ancestor's that takes no ``**kwargs``; None when the chain ends
    open (``object``)."""
    keys = set()
    for klass in cls.__mro__:
        if '__init__' not in vars(klass):
            continue
        params = inspect.signature(klass.__init__).parameters.values()
        keys |= {p.name for p in params if p.name != 'self' and
                 p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            return keys
    return None  # reached object.__init__(*args, **kwargs): open


def _parent(cfg, path: Iterable[str]):
    """The dict (or list) holding the option's last key; None when the path leaves it."""
    node = cfg
    for part in path:
        if isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif not isinstance(node, (list, tuple, str)) and hasattr(node, 'keys') and \
                part in node.keys():  # a dict, or the Config itself
            node = node[part]
        else:
            return None
    return node


def check_component_keys(cfg, cfg_options: Optional[Dict]) -> None:
    """Refuse an option ``a.b.key`` whose dict ``a.b`` has a registered ``type`` that takes
    no ``key`` (names the class and the closest key it takes)."""
    for option in cfg_options or {}:
        *path, key = option.split('.')
        parent = _parent(cfg, path) if path else None
        if not isinstance(parent, dict) or 'type' not in parent or key in CONSUMED:
            continue
        cls = registered_class(parent['type'])
        keys = accepted_keys(cls) if cls is not None else None
        if keys is None or key in keys:
            continue
        close = difflib.get_close_matches(key, sorted(keys), n=1)
        hint = f" (did you mean '{'.'.join(path)}.{close[0]}'?)" if close else ''
        raise ConfigKeyError(
            f"--cfg-options {option}: {cls.__name__} ({'.'.join(path)}) takes no '{key}'"
            f'{hint}; it takes {sorted(keys)}')
