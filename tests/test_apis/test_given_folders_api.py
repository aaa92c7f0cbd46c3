"""use_given_folders without GT keeps only the metrics that say needs_gt=False: a
reference metric whose class does not say so at all (FID compares the SR set with the
GT set) is dropped too, never run against a test set that has no GT."""
from mmengine.config import Config

from pgpsr.apis.given_folders import use_given_folders
from pgpsr.registry import METRICS
from tests.test_tools.helpers import ROOT

BASE = f'{ROOT}/configs/_base_/datasets/paired_folders_x4.py'


def _cfg(metrics):
    return Config(dict(scale=4, test_evaluator=metrics))


def test_lq_alone_drops_reference_metrics_even_without_a_needs_gt_attribute(tmp_path):
    assert not hasattr(METRICS.get('FID'), 'needs_gt')  # the case this test is about
    metrics = [dict(type='PSNRY', crop_border=4), dict(type='FID'), dict(type='NIQEY')]
    cfg = _cfg(metrics)
    use_given_folders(cfg, BASE, str(tmp_path))
    assert [m['type'] for m in cfg.test_evaluator] == ['NIQEY']
    assert cfg.test_dataloader.dataset.gt_folder is None


def test_lq_alone_with_only_reference_metrics_falls_back_to_the_base_no_reference_ones(tmp_path):
    cfg = _cfg([dict(type='PSNRY', crop_border=4), dict(type='FID')])
    use_given_folders(cfg, BASE, str(tmp_path))
    assert [m['type'] for m in cfg.test_evaluator] == ['NIQEY']  # paired_folders_x4.py's


def test_with_gt_the_config_metrics_are_kept(tmp_path):
    metrics = [dict(type='PSNRY', crop_border=4), dict(type='FID'), dict(type='NIQEY')]
    cfg = _cfg(metrics)
    use_given_folders(cfg, BASE, str(tmp_path), gt_dir=str(tmp_path))
    assert [m['type'] for m in cfg.test_evaluator] == ['PSNRY', 'FID', 'NIQEY']
