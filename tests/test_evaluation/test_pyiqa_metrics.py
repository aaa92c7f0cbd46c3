"""The papers' nine metrics equal pyiqa's own computation, done as AdcSR's evaluate.py does
it: ``pyiqa.create_metric(...)`` on PNG files read with PIL + ToTensor, FID on folders.
Both sides read the same local weights (pyiqa_fakes.py) and share each network, built
once by pgpsr after pyiqa asked for the same options; pyiqa's forward on a tensor bitwise
equal to pgpsr's is answered from memory, and the test asserts it always is
(pyiqa_oracle.py). Expensive networks score one image; ~45 s of CPU in all, half imports."""
import contextlib
import os.path as osp
from unittest import mock

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data
from torchvision.transforms.functional import to_tensor

from pgpsr.compat import WeightNotFoundError, pyiqa_offline
from pgpsr.registry import METRICS
from tests.test_evaluation.pyiqa_fakes import build_weights
from tests.test_evaluation.pyiqa_oracle import build_ours, create_metric, memoised

pyiqa = pytest.importorskip('pyiqa')
NAMES = ('astronaut', 'coffee')
CROP = np.s_[100:204, 100:300]  # 104x200: two 96 px NIQE blocks, also after a 4 px crop


@pytest.fixture(scope='module')
def hub(tmp_path_factory):
    return build_weights(str(tmp_path_factory.mktemp('torch_hub')))


@pytest.fixture(scope='module')
def pairs(tmp_path_factory):
    """Photo crops (HR) and a blurred, noisy copy (SR), as PNGs and as the BGR float
    tensors mmagic hands a metric."""
    root = tmp_path_factory.mktemp('pairs')
    rng = np.random.default_rng(0)
    samples = []
    for name in NAMES:
        hr = getattr(data, name)()[CROP]
        blur = (hr.astype(np.float64) + np.roll(hr, 1, 0) + np.roll(hr, 1, 1)) / 3
        sr = np.clip(blur + rng.normal(0, 6, hr.shape), 0, 255).round().astype(np.uint8)
        for sub, img in (('HR', hr), ('SR', sr)):
            (root / sub).mkdir(exist_ok=True)
            Image.fromarray(img).save(root / sub / f'{name}.png')
        bgr = lambda x: torch.from_numpy(x[..., ::-1].astype(np.float32).copy()).permute(2, 0, 1)  # noqa
        samples.append(dict(gt_img=bgr(hr), output=dict(pred_img=bgr(sr)), key=name))
    return root, samples


@pytest.fixture(scope='module')
def built(hub):
    """pgpsr's metric of a config, built once per type, with the pyiqa options and
    network it built."""
    cache = {}

    def get(cfg):
        if cfg['type'] not in cache:
            if cfg['type'] not in ('PSNRY', 'SSIMY'):
                cfg = dict(cfg, device='cpu', weights_dir=hub)
            cache[cfg['type']] = build_ours(cfg)
        return cache[cfg['type']]
    return get


def _ours(metric, samples):
    metric.results = []
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def _read(path):
    return to_tensor(Image.open(path).convert('RGB')).unsqueeze(0)


def _mean_score(metric, root, names):
    """AdcSR's evaluate.py: the mean over images of metric(SR[, HR])."""
    scores = [metric(_read(root / 'SR' / f'{n}.png'), _read(root / 'HR' / f'{n}.png')).item()
              if metric.metric_mode == 'FR' else metric(_read(root / 'SR' / f'{n}.png')).item()
              for n in names]
    return float(np.mean(scores))


CASES = [  # (pgpsr config, result key, pyiqa name, pyiqa options, relative tolerance,
    #          images: one where the network costs seconds an image)
    (dict(type='PSNRY'), 'PSNR', 'psnr', dict(test_y_channel=True, color_space='ycbcr'),
     1e-5, 2),
    (dict(type='SSIMY', round_y=True), 'SSIM', 'ssim',
     dict(test_y_channel=True, color_space='ycbcr'), 1e-6, 2),
    (dict(type='PyiqaLPIPS'), 'LPIPS', 'lpips', {}, 1e-5, 2),
    (dict(type='PyiqaDISTS'), 'DISTS', 'dists', {}, 1e-5, 1),
    (dict(type='PyiqaNIQE'), 'NIQE', 'niqe', {}, 1e-5, 2),
    (dict(type='MUSIQ'), 'MUSIQ', 'musiq', {}, 1e-5, 1),
    (dict(type='MANIQA', pyiqa_opts=dict(test_sample=1)), 'MANIQA', 'maniqa-pipal',
     dict(test_sample=1), 1e-5, 1),
    (dict(type='CLIPIQA'), 'CLIPIQA', 'clipiqa', {}, 1e-5, 2),
]


@pytest.mark.parametrize('cfg,key,name,opts,rel,n', CASES, ids=[c[1] for c in CASES])
def test_each_metric_equals_pyiqa_create_metric(hub, pairs, built, cfg, key, name, opts,
                                                rel, n):
    root, samples = pairs
    if name == 'clipiqa':
        opts = dict(opts, backbone=osp.join(hub, 'clip', 'RN50.pt'))
    metric, net_opts, net = built(cfg)
    with memoised(net) if net is not None else contextlib.nullcontext() as seen:
        ours = _ours(metric, samples[:n])[key]
        oracle = create_metric(name, hub, net_opts, net, **opts)
        ref = _mean_score(oracle, root, NAMES[:n])
    assert ours == pytest.approx(ref, rel=rel)
    assert np.isfinite(ours)
    assert seen is None or seen == [n], 'pyiqa fed its network other tensors than pgpsr'



def test_fid_gives_pyiqa_the_statistics_of_the_two_folders(hub, pairs, built):
    """pyiqa's FID on the SR and HR folders and pgpsr's FID hand pyiqa's frechet_distance
    the same means and covariances. Its 2048-d sqrtm takes over a minute on a CPU and is
    the same function on both sides, so here it sees the first four features only."""
    from pyiqa.archs import fid_arch
    root, samples = pairs
    frechet, stats = fid_arch.frechet_distance, []

    def first_features(mu1, sigma1, mu2, sigma2):
        stats.append((mu1, sigma1, mu2, sigma2))
        return frechet(mu1[:4], sigma1[:4, :4], mu2[:4], sigma2[:4, :4])

    metric, net_opts, net = built(dict(type='PyiqaFID'))
    with mock.patch.object(fid_arch, 'frechet_distance', first_features), \
            memoised(net.model) as seen:
        ours = _ours(metric, samples)['FID']
        fid = create_metric('fid', hub, net_opts, net)
        ref = fid(str(root / 'SR'), str(root / 'HR'), num_workers=0, verbose=False)
    (mine, theirs) = stats
    assert mine[0].shape == (2048,) and mine[1].shape == (2048, 2048)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5 * np.abs(b).max())
    assert ours == pytest.approx(float(ref), rel=1e-4) and ours > 0
    assert seen == [4], 'pyiqa fed the Inception other images than pgpsr'  # 2 SR + 2 HR


def test_shipped_heads_are_the_ones_loaded(hub, built):
    """pyiqa loads LPIPS/DISTS heads with strict=False: a key mismatch would load nothing."""
    import DISTS_pytorch
    lpips_net = built(dict(type='PyiqaLPIPS'))[0].net
    heads = torch.load(osp.join(hub, 'pyiqa', 'LPIPS_v0.1_alex-df73285e.pth'), 'cpu')
    assert torch.equal(lpips_net.lin0.model[1].weight, heads['lin0.model.1.weight'])
    dists_net = built(dict(type='PyiqaDISTS'))[0].net
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
