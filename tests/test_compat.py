"""Each compat fix must be in force; these fail if one is removed."""
import os.path as osp

import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_numpy_bool8_alias():
    import pgpsr.compat  # noqa: F401
    assert np.bool8 is np.bool_


def test_mmcv_ops_stand_in_imports_and_fails_clearly_when_used():
    import mmagic.models  # noqa: F401  (imports editors that import mmcv.ops)
    from mmcv.ops import ModulatedDeformConv2d
    from mmcv.ops.fused_bias_leakyrelu import fused_bias_leakyrelu

    class Sub(ModulatedDeformConv2d):  # mmagic subclasses these at import time
        pass

    with pytest.raises(ImportError, match='mmcv.ops.ModulatedDeformConv2d needs full mmcv'):
        Sub(3, 3, 3)
    with pytest.raises(ImportError, match='full mmcv'):
        fused_bias_leakyrelu(torch.zeros(1))


def test_local_checkpoints_with_mmengine_objects_load(tmp_path):
    from mmengine.logging.history_buffer import HistoryBuffer
    from mmengine.runner.checkpoint import _load_checkpoint
    path = str(tmp_path / 'ckpt.pth')
    torch.save({'meta': {'buf': HistoryBuffer([1.0, 2.0], [1, 1])}, 'state_dict': {}}, path)
    with pytest.raises(Exception):  # what torch's default loader does with it
        torch.load(path)
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['buf'].mean() == pytest.approx(1.5)


def test_missing_checkpoint_names_the_file(tmp_path):
    from mmengine.runner.checkpoint import _load_checkpoint
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        _load_checkpoint(str(tmp_path / 'nope.pth'))


def test_only_the_known_third_party_deprecations_are_silenced():
    """mmagic's imports of old diffusers paths print nothing; other warnings still do."""
    import subprocess
    import sys
    code = ('import warnings; warnings.simplefilter("default"); import pgpsr; '
            'pgpsr.register_all_modules(); '
            'warnings.warn("`UNet2DConditionModel` is deprecated, really", DeprecationWarning); '
            'warnings.warn("`broadcast_buffers` is deprecated. Use x", FutureWarning); '
            'warnings.warn("something else", FutureWarning)')
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         cwd=ROOT)
    assert res.returncode == 0, res.stderr[-2000:]
    assert 'UNet2DConditionOutput' not in res.stderr and 'torch.jit.script' not in res.stderr
    assert 'broadcast_buffers' not in res.stderr
    assert 'FutureWarning: something else' in res.stderr
    assert 'really' in res.stderr  # same text, other category: still shown
