"""Imports go one way (tools -> analysis -> apis -> converters / deploy -> engine -> evaluation ->
models -> pruning / datasets -> registry / utils): every import in pgpsr/, function-level
ones included, is read from the source and checked against the layer of the importing
module. Analysis runs models through the entry points, so it sits above them; converters
need only models and utils, and so does deploy (ONNX export, backends); metrics use the networks of models/ (LPIPS is one network
for the loss and the metric), never the other way round. ``pgpsr/apis/`` holds entry points only."""
import ast
import os
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
LAYERS = dict(analysis=0, apis=1, converters=2, deploy=2, engine=3, evaluation=4, models=5, pruning=6,
              datasets=6, registry=7, utils=7, compat=7, version=7)
# what tools/train.py, tools/test.py and tools/infer.py need to run a model; benchmarks and
# reports go to pgpsr/analysis/, weight converters to pgpsr/converters/
ENTRY_POINTS = {'__init__', 'inference', 'training', 'runner_setup', 'config_paths',
                'config_keys', 'component_keys', 'given_folders', 'test_sets', 'paper_metrics'}


def imports(path: str, package: str):
    """(line, absolute module) of every import statement in the file."""
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')[:len(package.split('.')) - node.level + 1]
                yield node.lineno, '.'.join(base + ([node.module] if node.module else []))
            else:
                yield node.lineno, node.module or ''


def violations(root: str):
    found = []
    for dirpath, _, files in os.walk(osp.join(root, 'pgpsr')):
        for f in sorted(files):
            if not f.endswith('.py'):
                continue
            path = osp.join(dirpath, f)
            module = osp.relpath(path, root)[:-3].replace(os.sep, '.')
            package = module if f == '__init__.py' else module.rsplit('.', 1)[0]
            if module.endswith('__init__'):
                module = package
            own = module.split('.')[1] if '.' in module else None
            if own is None:  # pgpsr/__init__.py registers everything
                continue
            for line, target in imports(path, package):
                parts = target.split('.')
                if parts[0] != 'pgpsr' or len(parts) < 2 or parts[1] == own:
                    continue
                if LAYERS.get(parts[1], 9) < LAYERS.get(own, 9):
                    found.append(f'{osp.relpath(path, root)}:{line} imports {target} '
                                 f'({parts[1]} is above {own})')
    return found


def test_no_module_imports_from_a_layer_above_its_own():
    assert violations(ROOT) == []


def test_the_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / 'pgpsr' / 'models'
    bad.mkdir(parents=True)
    (bad / 'x.py').write_text('def f():\n    from pgpsr.apis import init_model\n')
    (tmp_path / 'pgpsr' / 'utils').mkdir()
    (tmp_path / 'pgpsr' / 'utils' / 'y.py').write_text('from ..datasets import read_image\n')
    assert violations(str(tmp_path)) == [
        'pgpsr/models/x.py:2 imports pgpsr.apis (apis is above models)',
        'pgpsr/utils/y.py:1 imports pgpsr.datasets (datasets is above utils)']


def non_entry_modules(root: str):
    """Modules (or subpackages) of ``pgpsr/apis/`` outside the entry-point allow-list."""
    apis, found = osp.join(root, 'pgpsr', 'apis'), []
    for name in sorted(os.listdir(apis)):
        stem, ext = osp.splitext(name)
        module = ext == '.py' or (osp.isdir(osp.join(apis, name)) and name != '__pycache__')
        if module and stem not in ENTRY_POINTS:
            found.append(f'pgpsr/apis/{name}')
    return found


def test_apis_holds_only_entry_points():
    assert non_entry_modules(ROOT) == []


def test_the_check_catches_a_module_planted_in_apis(tmp_path):
    apis = tmp_path / 'pgpsr' / 'apis'
    apis.mkdir(parents=True)
    for name in ('__init__.py', 'inference.py', 'notes.txt'):
        (apis / name).write_text('')
    (apis / 'benchmarking.py').write_text('def run():\n    pass\n')
    (apis / 'reports').mkdir()
    assert non_entry_modules(str(tmp_path)) == ['pgpsr/apis/benchmarking.py',
                                                'pgpsr/apis/reports']


def sys_path_edits(root: str):
    """Tools that edit ``sys.path``: the package is installed (``pip install -e .``), so a
    tool imports it like any user script would, wherever the repository is."""
    found = []
    for dirpath, _, files in os.walk(osp.join(root, 'tools')):
        for f in sorted(files):
            if f.endswith('.py'):
                path = osp.join(dirpath, f)
                for node in ast.walk(ast.parse(open(path).read())):
                    if isinstance(node, ast.Attribute) and node.attr == 'path' and \
                            isinstance(node.value, ast.Name) and node.value.id == 'sys':
                        found.append(f'{osp.relpath(path, root)}:{node.lineno}')
    return found


def test_no_tool_edits_sys_path(tmp_path):
    assert sys_path_edits(ROOT) == []
    (tmp_path / 'tools').mkdir()
    (tmp_path / 'tools' / 't.py').write_text('import sys\nsys.path.insert(0, "..")\n')
    assert sys_path_edits(str(tmp_path)) == ['tools/t.py:2']
