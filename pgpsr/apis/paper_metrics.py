"""The papers' nine-column evaluation (``tools/test.py --metrics paper``).

PGP-DiffSR, AdcSR and OSEDiff report PSNR, SSIM, LPIPS, DISTS, FID, NIQE, MUSIQ, MANIQA
and CLIPIQA, computed with pyiqa (AdcSR's ``evaluate.py``). The metric list lives in
``configs/_base_/evaluation/paper_x4.py``; this module puts it into a config (the
no-reference four when the test set has no GT), checks every weight file before the
model runs, and writes the row.
"""
import copy
import math
from typing import Dict, List, Optional

from mmengine.config import Config

from pgpsr.evaluation.metrics.pyiqa_weights import missing_weights, weights_dir_of
from pgpsr.registry import METRICS

PAPER_COLUMNS = ('PSNR', 'SSIM', 'LPIPS', 'DISTS', 'FID', 'NIQE', 'MUSIQ', 'MANIQA', 'CLIPIQA')
# decimals as the papers print them
DECIMALS = dict(PSNR=2, SSIM=4, LPIPS=4, DISTS=4, FID=2, NIQE=4, MUSIQ=2, MANIQA=4, CLIPIQA=4)


def has_gt(cfg: Config) -> bool:
    """Whether ``cfg``'s test set has GT (an image-folder set with ``gt_folder=None`` has
    not; any other dataset is taken to pair LR with GT)."""
    dataset = cfg.test_dataloader.get('dataset', {})
    return not ('gt_folder' in dataset and not dataset['gt_folder'])


def use_paper_metrics(cfg: Config, evaluation_config: str,
                      weights_dir: Optional[str] = None) -> List[Dict]:
    """Replace ``cfg.test_evaluator`` with the papers' metrics of ``evaluation_config``
    (all nine with GT, the no-reference four without), reading weights from
    ``weights_dir``. Raises FileNotFoundError listing every missing weight file."""
    paper = Config.fromfile(evaluation_config)
    metrics = copy.deepcopy(paper.paper_metrics if has_gt(cfg)
                            else paper.paper_no_reference_metrics)
    missing = []
    for metric in metrics:
        name = getattr(METRICS.get(metric['type']), 'pyiqa_name', None)
        if name:
            metric['weights_dir'] = weights_dir_of(weights_dir)
            missing += [line for line in missing_weights(name, weights_dir)
                        if line not in missing]
    if missing:
        raise FileNotFoundError(
            'the papers\' metrics need these weight files (pgpsr never downloads; fetch each '
            'on a machine with network access and copy it to the path shown, or point '
            '--metric-weights at a folder holding them):\n  ' + '\n  '.join(missing))
    cfg.test_evaluator = metrics
    return metrics


def paper_row(means: Dict[str, float]) -> Dict[str, Optional[float]]:
    """The nine columns in the papers' order; a metric not computed (or NaN) is None."""
    row = {}
    for col in PAPER_COLUMNS:
        v = means.get(col)
        row[col] = None if v is None or math.isnan(float(v)) else float(v)
    return row


def markdown_row(label: str, row: Dict[str, Optional[float]], header: bool = True) -> str:
    """``| label | PSNR | ... |`` as a markdown table row (with its header by default);
    a missing value prints as ``-``."""
    cells = ['-' if row.get(c) is None else f'{row[c]:.{DECIMALS[c]}f}'
             for c in PAPER_COLUMNS]
    line = '| ' + ' | '.join([label, *cells]) + ' |'
    if not header:
        return line
    head = '| ' + ' | '.join(['method', *PAPER_COLUMNS]) + ' |'
    return '\n'.join([head, '|' + '---|' * (len(PAPER_COLUMNS) + 1), line])
