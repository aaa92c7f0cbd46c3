"""The papers' nine metrics equal pyiqa's own computation, done as AdcSR's evaluate.py does
it: ``pyiqa.create_metric(...)`` on PNG files read with PIL + ToTensor, FID on folders.
Both sides read the same local weights (tests/test_evaluation/pyiqa_fakes.py)."""
import os.path as osp

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data
from torchvision.transforms.functional import to_tensor

from pgpsr.compat import WeightNotFoundError, pyiqa_offline
from pgpsr.registry import METRICS
from tests.test_evaluation.pyiqa_fakes import build_weights

pyiqa = pytest.importorskip('pyiqa')
NAMES = ('astronaut', 'coffee', 'chelsea')


@pytest.fixture(scope='module')
def hub(tmp_path_factory):
    return build_weights(str(tmp_path_factory.mktemp('torch_hub')))


@pytest.fixture(scope='module')
def pairs(tmp_path_factory):
    """192 px photo crops (HR) and a degraded copy (SR), as PNGs and as the BGR float
    tensors mmagic hands a metric."""
    root = tmp_path_factory.mktemp('pairs')
    rng = np.random.default_rng(0)
    samples = []
    for name in NAMES:
        hr = getattr(data, name)()[:192, :192]
        blur = (hr.astype(np.float64) + np.roll(hr, 1, 0) + np.roll(hr, 1, 1)) / 3
        sr = np.clip(blur + rng.normal(0, 6, hr.shape), 0, 255).round().astype(np.uint8)
        for sub, img in (('HR', hr), ('SR', sr)):
            (root / sub).mkdir(exist_ok=True)
            Image.fromarray(img).save(root / sub / f'{name}.png')
        bgr = lambda x: torch.from_numpy(x[..., ::-1].astype(np.float32).copy()).permute(2, 0, 1)  # noqa
        samples.append(dict(gt_img=bgr(hr), output=dict(pred_img=bgr(sr)), key=name))
    return root, samples


def _ours(cfg, samples):
    metric = METRICS.build(cfg)
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def _read(path):
    return to_tensor(Image.open(path).convert('RGB')).unsqueeze(0)


def _oracle(hub, name, root, **opts):
    """AdcSR's evaluate.py: the mean over images of pyiqa.create_metric(name)(SR[, HR])."""
    with pyiqa_offline(hub):
        metric = pyiqa.create_metric(name, device=torch.device('cpu'), **opts)
    scores = [metric(_read(root / 'SR' / f'{n}.png'), _read(root / 'HR' / f'{n}.png')).item()
              if metric.metric_mode == 'FR' else metric(_read(root / 'SR' / f'{n}.png')).item()
              for n in NAMES]
    return float(np.mean(scores))


CASES = [  # (pgpsr config, result key, pyiqa name, pyiqa options, relative tolerance)
    (dict(type='PSNRY'), 'PSNR', 'psnr', dict(test_y_channel=True, color_space='ycbcr'), 1e-5),
    (dict(type='SSIMY', round_y=True), 'SSIM', 'ssim',
     dict(test_y_channel=True, color_space='ycbcr'), 1e-6),
    (dict(type='PyiqaLPIPS'), 'LPIPS', 'lpips', {}, 1e-5),
    (dict(type='PyiqaDISTS'), 'DISTS', 'dists', {}, 1e-5),
    (dict(type='PyiqaNIQE'), 'NIQE', 'niqe', {}, 1e-5),
    (dict(type='MUSIQ'), 'MUSIQ', 'musiq', {}, 1e-5),
    (dict(type='MANIQA', pyiqa_opts=dict(test_sample=2)), 'MANIQA', 'maniqa-pipal',
     dict(test_sample=2), 1e-5),
    (dict(type='CLIPIQA'), 'CLIPIQA', 'clipiqa', {}, 1e-5),
]


@pytest.mark.parametrize('cfg,key,name,opts,rel', CASES, ids=[c[1] for c in CASES])
def test_each_metric_equals_pyiqa_create_metric(hub, pairs, cfg, key, name, opts, rel):
    root, samples = pairs
    if name == 'clipiqa':
        opts = dict(opts, backbone=osp.join(hub, 'clip', 'RN50.pt'))
    if cfg['type'] not in ('PSNRY', 'SSIMY'):
        cfg = dict(cfg, device='cpu', weights_dir=hub)
    ours = _ours(cfg, samples)[key]
    assert ours == pytest.approx(_oracle(hub, name, root, **opts), rel=rel)
    assert np.isfinite(ours)


def test_fid_equals_pyiqa_fid_of_the_two_folders(hub, pairs):
    root, samples = pairs
    ours = _ours(dict(type='PyiqaFID', weights_dir=hub, device='cpu'), samples)['FID']
    with pyiqa_offline(hub):
        fid = pyiqa.create_metric('fid', device=torch.device('cpu'))
    ref = fid(str(root / 'SR'), str(root / 'HR'), num_workers=0,
              verbose=False)
    assert ours == pytest.approx(float(ref), rel=1e-4) and ours > 0


def test_shipped_heads_are_the_ones_loaded(hub):
    """pyiqa loads LPIPS/DISTS heads with strict=False: a key mismatch would load nothing."""
    import DISTS_pytorch
    lpips_net = METRICS.build(dict(type='PyiqaLPIPS', weights_dir=hub, device='cpu')).net
    heads = torch.load(osp.join(hub, 'pyiqa', 'LPIPS_v0.1_alex-df73285e.pth'), 'cpu')
    assert torch.equal(lpips_net.lin0.model[1].weight, heads['lin0.model.1.weight'])
    dists_net = METRICS.build(dict(type='PyiqaDISTS', weights_dir=hub, device='cpu')).net
    alpha = torch.load(osp.join(osp.dirname(DISTS_pytorch.__file__), 'weights.pt'), 'cpu')['alpha']
    assert torch.equal(dists_net.alpha, alpha)


def test_a_missing_weight_names_the_file_and_where_it_goes(tmp_path):
    with pytest.raises(WeightNotFoundError, match=r'MANIQA_PIPAL-ae6d356b\.pth -> .*'
                       r'empty/pyiqa/MANIQA_PIPAL-ae6d356b\.pth \(from https://'):
        METRICS.build(dict(type='MANIQA', weights_dir=str(tmp_path / 'empty')))


def test_inside_the_offline_context_a_download_is_refused(tmp_path):
    """Belt and braces: a file missing from pgpsr's list still never reaches the network."""
    from pyiqa.archs.arch_util import load_pretrained_network
    with pyiqa_offline(str(tmp_path)), pytest.raises(WeightNotFoundError, match='never downloads'):
        load_pretrained_network(torch.nn.Linear(1, 1), 'https://example.invalid/x.pth')
    assert torch.hub.get_dir() != str(tmp_path)  # the hub folder is restored
