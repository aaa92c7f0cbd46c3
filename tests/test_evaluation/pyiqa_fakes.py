"""A torch-hub-style weights folder for pyiqa's nine metrics, built offline.

Real files where a package ships them: LPIPS v0.1 AlexNet heads (``lpips``), DISTS
alpha/beta (``DISTS_pytorch``), NIQE's pristine MATLAB parameters (``mmagic``). Every other
network is seeded random weights saved in the exact format (file name, state-dict keys and
shapes) pyiqa reads; pgpsr and the pyiqa oracle load the same files.
"""
import os
import os.path as osp
import shutil

import numpy as np
import scipy.io
import torch


def _save(state, root, rel):
    path = osp.join(root, rel)
    os.makedirs(osp.dirname(path), exist_ok=True)
    torch.save(state, path)


def _package_file(module, *rel):
    return osp.join(osp.dirname(module.__file__), *rel)


def _backbone_state(arch) -> dict:
    """A torchvision classifier's state dict (keys and shapes of ``arch()``): seeded
    He-normal ``features``, and the classifier pyiqa never runs as zero-stride zeros, so
    neither its 100M-parameter init nor its 0.5 GB reach the disk (torch saves the one
    element; ``load_state_dict`` broadcasts it)."""
    with torch.device('meta'):
        shapes = {k: v.shape for k, v in arch().state_dict().items()}
    state = {}
    for key, shape in shapes.items():
        if not key.startswith('features.'):
            state[key] = torch.zeros(()).expand(shape)
        elif len(shape) == 4:
            state[key] = torch.randn(shape) * (2 / (shape[1] * shape[2] * shape[3])) ** 0.5
        else:
            state[key] = torch.randn(shape) * 0.01
    return state


def _tiny_clip(path):
    """A CLIP ModifiedResNet small enough for a CPU, as TorchScript like OpenAI's RN50.pt;
    pyiqa's ``build_model`` reads the architecture back from the shapes (77 tokens and the
    49408-word vocabulary are real)."""
    from pyiqa.archs.clip_model import CLIP
    model = CLIP(embed_dim=32, image_resolution=64, vision_layers=(1, 1, 1, 1),
                 vision_width=32, vision_patch_size=None, context_length=77,
                 vocab_size=49408, transformer_width=64, transformer_heads=1,
                 transformer_layers=1)
    os.makedirs(osp.dirname(path), exist_ok=True)
    image, text = torch.rand(1, 3, 64, 64), torch.zeros(2, 77, dtype=torch.long)
    torch.jit.save(torch.jit.trace(model.eval(), (image, text), check_trace=False), path)


def build_weights(root: str, which=('lpips', 'dists', 'fid', 'niqe', 'musiq', 'maniqa-pipal',
                                    'clipiqa')) -> str:
    """Write the files of ``which`` under ``root``; returns ``root``."""
    import DISTS_pytorch
    import lpips
    import mmagic.evaluation.metrics as mm_metrics
    import torchvision
    from pgpsr.compat import pyiqa_offline
    torch.manual_seed(0)
    if 'lpips' in which:
        _save(_backbone_state(torchvision.models.alexnet), root,
              'checkpoints/alexnet-owt-7be5be79.pth')
        os.makedirs(osp.join(root, 'pyiqa'), exist_ok=True)
        shutil.copy(_package_file(lpips, 'weights', 'v0.1', 'alex.pth'),
                    osp.join(root, 'pyiqa', 'LPIPS_v0.1_alex-df73285e.pth'))
    if 'dists' in which:
        _save(_backbone_state(torchvision.models.vgg16), root,
              'checkpoints/vgg16-397923af.pth')
        shutil.copy(_package_file(DISTS_pytorch, 'weights.pt'),
                    osp.join(root, 'pyiqa', 'DISTS_weights-f5e65c96.pth'))
    if 'fid' in which:
        import pyiqa.archs.inception as inception
        load = inception.load_pretrained_network
        inception.load_pretrained_network = lambda *a, **k: None  # random, not downloaded
        try:
            net = inception.fid_inception_v3()
        finally:
            inception.load_pretrained_network = load
        _save(net.state_dict(), root, 'pyiqa/pt_inception-2015-12-05-6726825d.pth')
    if 'niqe' in which:
        params = np.load(_package_file(mm_metrics, 'niqe_pris_params.npz'))
        scipy.io.savemat(osp.join(root, 'pyiqa', 'niqe_modelparameters.mat'),
                         dict(mu_prisparam=params['mu_pris_param'],
                              cov_prisparam=params['cov_pris_param']))
    if 'musiq' in which:
        from pyiqa.archs.musiq_arch import MUSIQ
        _save(MUSIQ(pretrained=False).state_dict(), root, 'pyiqa/musiq_koniq_ckpt-e95806b9.pth')
    if 'maniqa-pipal' in which:
        from pyiqa.archs.maniqa_arch import MANIQA
        with pyiqa_offline(root):
            state = MANIQA(pretrained=False).state_dict()
        _save(state, root, 'pyiqa/MANIQA_PIPAL-ae6d356b.pth')
    if 'clipiqa' in which:
        _tiny_clip(osp.join(root, 'clip', 'RN50.pt'))
    return root
