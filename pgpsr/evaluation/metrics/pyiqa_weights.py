"""pyiqa's networks built from a local weights folder, never from the network.

The folder is laid out like a torch hub directory after pyiqa has run once online, so
``~/.cache/torch/hub`` of such a machine can be copied as it is:

    <weights_dir>/checkpoints/  torchvision backbones (AlexNet for LPIPS, VGG16 for DISTS)
    <weights_dir>/pyiqa/        pyiqa's own files (heads, MUSIQ, MANIQA, FID Inception, NIQE)
    <weights_dir>/clip/         OpenAI CLIP (CLIPIQA's RN50)

Default: ``$PGPSR_PYIQA_WEIGHTS``, else ``weights/torch_hub`` in the working directory
(the repository root when the tools run as the README shows them; the package reads no
repository path). A missing file stops with its name, where it goes and the URL to fetch
it from.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn

from pgpsr.compat import WeightNotFoundError, pyiqa_offline

DEFAULT_WEIGHTS_DIR = osp.join('weights', 'torch_hub')  # in the working directory, as data/
TORCHVISION = 'https://download.pytorch.org/models/'
CLIP_RN50 = ('https://openaipublic.azureedge.net/clip/models/afeb0e10f9e5a86da6080e35cf09123'
             'aca3b358a0c3e3b6c78a7b63bc04b6762/RN50.pt')

# pyiqa metric name -> the files it reads: (path inside the weights folder, URL or None
# for pyiqa's own weight store).
WEIGHT_FILES: Dict[str, Tuple[Tuple[str, Optional[str]], ...]] = {
    'lpips': (('checkpoints/alexnet-owt-7be5be79.pth', TORCHVISION),
              ('pyiqa/LPIPS_v0.1_alex-df73285e.pth', None)),
    'dists': (('checkpoints/vgg16-397923af.pth', TORCHVISION),
              ('pyiqa/DISTS_weights-f5e65c96.pth', None)),
    'fid': (('pyiqa/pt_inception-2015-12-05-6726825d.pth', None),),
    'niqe': (('pyiqa/niqe_modelparameters.mat', None),),
    'musiq': (('pyiqa/musiq_koniq_ckpt-e95806b9.pth', None),),
    'maniqa-pipal': (('pyiqa/MANIQA_PIPAL-ae6d356b.pth', None),),
    'clipiqa': (('clip/RN50.pt', CLIP_RN50),),
}


def weights_dir_of(weights_dir: Optional[str] = None) -> str:
    """The folder given, else ``$PGPSR_PYIQA_WEIGHTS``, else ``weights/torch_hub``."""
    path = weights_dir or os.environ.get('PGPSR_PYIQA_WEIGHTS') or DEFAULT_WEIGHTS_DIR
    return osp.abspath(osp.expanduser(path))


def _url(relpath: str, base: Optional[str]) -> str:
    name = osp.basename(relpath)
    if base is None:
        from pyiqa.archs.arch_util import get_url_from_name
        return get_url_from_name(name)
    return base if base.endswith(name) else base + name


def missing_weights(metric: str, weights_dir: Optional[str] = None) -> List[str]:
    """One line per file ``metric`` needs that is not in the folder: name, place, URL."""
    root = weights_dir_of(weights_dir)
    return [f'{osp.basename(rel)} -> {osp.join(root, rel)} (from {_url(rel, base)})'
            for rel, base in WEIGHT_FILES[metric] if not osp.isfile(osp.join(root, rel))]


def check_weights(metric: str, weights_dir: Optional[str] = None) -> str:
    """The weights folder of ``metric``; raises WeightNotFoundError listing what is absent."""
    missing = missing_weights(metric, weights_dir)
    if missing:
        raise WeightNotFoundError(
            f'pyiqa {metric}: weight file(s) missing, pgpsr never downloads. Fetch each on a '
            'machine with network access and copy it to the path shown (or set '
            'weights_dir / $PGPSR_PYIQA_WEIGHTS):\n  ' + '\n  '.join(missing))
    return weights_dir_of(weights_dir)


def build_pyiqa_net(metric: str, weights_dir: Optional[str] = None,
                    device: Optional[torch.device] = None, **opts) -> nn.Module:
    """pyiqa's network of ``metric`` with its default options (as ``create_metric`` builds
    it, without that wrapper's global cudnn settings), weights from the local folder.

    Args:
        metric: A pyiqa metric name in :data:`WEIGHT_FILES` (``'lpips'``, ``'musiq'``...).
        weights_dir: The torch-hub-style weights folder (see the module docstring).
        device: Where the network runs; default CUDA when available.
        **opts: Options overriding pyiqa's defaults (e.g. MANIQA's ``test_sample``).

    Returns:
        The network in eval mode, gradients off.
    """
    root = check_weights(metric, weights_dir)
    from pyiqa.archs import build_network
    from pyiqa.default_model_configs import DEFAULT_CONFIGS
    net_opts = dict(DEFAULT_CONFIGS[metric]['metric_opts'])
    if metric == 'clipiqa':  # by path: pyiqa would re-check a named model's SHA online
        net_opts['backbone'] = osp.join(root, 'clip', 'RN50.pt')
    net_opts.update(opts)
    with pyiqa_offline(root):
        net = build_network(net_opts)
    device = device or torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    return net.eval().requires_grad_(False).to(device)
