"""The members a ``typing.Protocol`` declares, and which of them an object lacks: the one
check behind every contract pgpsr states for its parts (backbones, necks, codecs)."""
import inspect
from typing import Tuple


def protocol_members(protocol) -> Tuple[str, ...]:
    """Annotated attributes, then public methods, in declaration order (bases first)."""
    names = []
    for cls in reversed(protocol.__mro__):
        if cls is object or cls.__name__ in ('Protocol', 'Generic'):
            continue
        names += [n for n in getattr(cls, '__annotations__', {}) if n not in names]
        names += [n for n, v in vars(cls).items()
                  if inspect.isfunction(v) and not n.startswith('_') and n not in names]
    return tuple(names)


def missing_members(obj, protocol) -> Tuple[str, ...]:
    """The members of ``protocol`` that ``obj`` does not have."""
    return tuple(n for n in protocol_members(protocol) if not hasattr(obj, n))
