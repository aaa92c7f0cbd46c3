"""pgpsr packaging: version from pgpsr/version.py, requirements from requirements/*.txt,
and a `.mim` folder (configs, tools, model-index.yml) as OpenMMLab packages ship it."""
import os
import os.path as osp
import shutil

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
MIM_ITEMS = ['configs', 'tools', 'model-index.yml']


def read_version() -> str:
    scope: dict = {}
    with open(osp.join(HERE, 'pgpsr', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def parse_requirements(name: str) -> list:
    """Requirement lines of requirements/<name>, without comments."""
    reqs = []
    with open(osp.join(HERE, 'requirements', name)) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                reqs.append(line)
    return reqs


def add_mim_extension() -> None:
    """Link (editable install) or copy (wheel build) configs/tools into pgpsr/.mim."""
    mim = osp.join(HERE, 'pgpsr', '.mim')
    os.makedirs(mim, exist_ok=True)
    editable = any(a in ('develop', 'editable_wheel') for a in os.sys.argv)
    for item in MIM_ITEMS:
        src, dst = osp.join(HERE, item), osp.join(mim, item)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if editable:
            os.symlink(osp.relpath(src, mim), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='pgpsr',
        version=read_version(),
        description='Efficient diffusion super-resolution: PGP-DiffSR and AdcSR '
        'in OpenMMLab style',
        long_description=open(osp.join(HERE, 'README.md')).read()
        if osp.exists(osp.join(HERE, 'README.md')) else '',
        long_description_content_type='text/markdown',
        packages=find_packages(exclude=('configs', 'tools', 'tests')),
        include_package_data=True,
        package_data={'pgpsr': ['.mim/**/*', 'datasets/*.txt']},
        python_requires='>=3.10',
        install_requires=parse_requirements('runtime.txt'),
        extras_require={
            'tests': parse_requirements('tests.txt'),
            'optional': parse_requirements('optional.txt'),
            'mim': parse_requirements('mminstall.txt'),
        },
        license='Apache-2.0',
        zip_safe=False)
