"""use_test_set: the test-set config's loader and metrics replace the model config's; a
CheckPairScale step checks the model's own ``scale`` (a x2 model's pairs are x2 pairs),
and ``data_root`` replaces the folder the test-set config names."""
from mmengine.config import Config

from pgpsr.apis.test_sets import use_test_set
from tests.test_tools.helpers import ROOT

PAIRED = f'{ROOT}/configs/_base_/datasets/paired_folders_x4.py'  # CheckPairScale(scale=4)


def _check_scales(cfg):
    return [s['scale'] for s in cfg.test_dataloader.dataset.pipeline
            if s['type'] == 'CheckPairScale']


def test_the_pair_check_takes_the_model_scale(tmp_path):
    cfg = Config(dict(scale=2, test_evaluator=[dict(type='NIQEY')]))
    use_test_set(cfg, PAIRED, data_root=str(tmp_path))
    assert _check_scales(cfg) == [2]
    assert cfg.test_dataloader.dataset.data_root == str(tmp_path)
    assert [m['type'] for m in cfg.test_evaluator] == ['PSNRY', 'SSIMY']


def test_without_a_model_scale_the_test_set_scale_stays(tmp_path):
    cfg = Config(dict())
    use_test_set(cfg, PAIRED)
    assert _check_scales(cfg) == [4]
    assert cfg.test_dataloader.dataset.data_root == 'data/paired'
