"""Every backbone defined under pgpsr/models/backbones/ is registered and reached by
``import pgpsr.models`` (through backbones/__init__.py): a module left out of the package
``__init__`` would leave its class unregistered for every config, silently."""
import importlib
import inspect
import pkgutil

import pgpsr.models
from pgpsr.models import backbones
from pgpsr.models.backbones import PrunableBackbone
from pgpsr.registry import MODELS


def defined_backbones(package):
    """(module, class) of each concrete PrunableBackbone defined in a module of ``package``
    (every module is imported, as a registry scan would not)."""
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if isinstance(cls, type) and issubclass(cls, PrunableBackbone) and \
                    cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                yield module.__name__, cls


def unregistered(package, registry, exported_by):
    """What is wrong with each backbone of ``package``: not in ``registry`` under its class
    name, or not importable from ``exported_by`` (its module is not imported, and so not
    registered, when the package is)."""
    found = []
    for module, cls in defined_backbones(package):
        name = f'{module}.{cls.__name__}'
        if registry.get(cls.__name__) is not cls:
            found.append(f'{name} is not registered in the {registry.name} registry')
        elif getattr(exported_by, cls.__name__, None) is not cls:
            found.append(f'{name} is not imported by {package.__name__}/__init__.py')
    return found


def test_every_backbone_module_is_imported_and_registered():
    assert len(list(defined_backbones(backbones))) >= 4
    assert unregistered(backbones, MODELS, pgpsr.models) == []


def test_the_check_catches_a_planted_backbone(tmp_path, monkeypatch):
    pkg = tmp_path / 'planted_backbones'
    pkg.mkdir()
    head = ('from pgpsr.models.backbones import PrunableBackbone\n'
            'from .reg import PLANTED\n')
    body = '    size_divisor = 1\n\n    def block_table(self):\n        return []\n'
    files = {
        'reg.py': "from mmengine.registry import Registry\nPLANTED = Registry('planted')\n",
        '__init__.py': 'from .kept import Kept\nfrom .loose import Loose\n',
        'kept.py': head + '@PLANTED.register_module()\nclass Kept(PrunableBackbone):\n' + body,
        'loose.py': head + 'class Loose(PrunableBackbone):  # never registered\n' + body,
        'forgotten.py': head + '@PLANTED.register_module()\n'
                               'class Forgotten(PrunableBackbone):  # not in __init__\n' + body}
    for name, text in files.items():
        (pkg / name).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    planted = importlib.import_module('planted_backbones')
    registry = importlib.import_module('planted_backbones.reg').PLANTED
    assert unregistered(planted, registry, planted) == [
        'planted_backbones.forgotten.Forgotten is not imported by '
        'planted_backbones/__init__.py',
        'planted_backbones.loose.Loose is not registered in the planted registry']
