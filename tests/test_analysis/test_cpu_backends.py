"""The CPU-backend comparison on a tiny one-step model: every backend's output is checked
against eager's (tile and full SR), its latency rows have the timing schema, and the ratios
are the medians' over eager's. torch.compile is left out here (a minute of compiling on
two cores); the tool's own run reports its difference to eager too."""
import math

import pytest
import torch

from pgpsr.analysis.cpu_backends import compare, to_markdown
from tests.test_tools.helpers import ROOT


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    from mmengine.config import Config

    from pgpsr.registry import MODELS
    cfg_path = f'{ROOT}/configs/pgp_diffsr/pgp_dit_s1_tiny_x4.py'
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(cfg_path).model)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    path = tmp_path_factory.mktemp('ckpt') / 'tiny.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    return cfg_path, str(path)


def test_backends_agree_with_eager_and_ratios_are_medians(tiny):
    report = compare(*tiny, lr_side=16, repeats=1, threads=1,
                     backends=('torch_eager', 'onnxruntime'))
    rows = report['rows']
    assert set(rows) == {'torch_eager', 'onnxruntime'}
    assert report['sr'] == [64, 64] and report['tile_batch'] >= 1
    eager, ort = rows['torch_eager'], rows['onnxruntime']
    assert eager['max_abs_diff_tile'] == 0 and eager['full_png_levels_max'] == 0
    assert ort["max_abs_diff_tile"] <= 1e-4
    assert ort['full_png_levels_max'] <= 1 and ort['full_png_values_differing'] < 1e-3
    for part in ('tile', 'full'):
        want = ort[part]['latency']['median_s'] / eager[part]['latency']['median_s']
        assert math.isclose(ort[part]['ratio']['latency'], round(want, 4), abs_tol=1e-4)
        assert ort[part]['latency']['runs'] == 1
    assert ort['prepare_s'] > 0  # the export is timed
    assert '| pgp_dit_s1_tiny_x4 | onnxruntime |' in to_markdown(dict(models=[report]))
    with pytest.raises(ValueError, match='unknown backends'):
        compare(*tiny, backends=('torch_eager', 'tensorrt'))
