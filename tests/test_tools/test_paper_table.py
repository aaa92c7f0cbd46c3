"""tools/analysis_tools/paper_table.py: published rows with their source, a measured row
from a tools/test.py JSON marked as measured, the papers' column order."""
import json
import runpy

from .helpers import ROOT


def test_published_and_measured_rows_side_by_side(tmp_path):
    tool = runpy.run_path(f'{ROOT}/tools/analysis_tools/paper_table.py')
    out = tmp_path / 'ours.json'
    out.write_text(json.dumps(dict(mean={}, paper_row=dict(
        PSNR=25.5, SSIM=0.75, LPIPS=0.3, DISTS=0.2, FID=None, NIQE=5.0, MUSIQ=60.0,
        MANIQA=0.6, CLIPIQA=0.65))))
    lines = tool['main'](['--test-set', 'realsr', '--measured', 'ours', str(out)]).splitlines()
    assert lines[0].startswith('| method | set | PSNR | SSIM | LPIPS | DISTS | FID | NIQE |')
    assert len(lines) == 4  # header, rule, OSEDiff on RealSR, ours
    assert lines[2].startswith('| OSEDiff | RealSR | 25.15 | 0.7341 | 0.2921 | 0.2128 | 123.49 |')
    assert 'Table 1 of arXiv:2406.08177' in lines[2]
    assert lines[3] == (f'| ours | realsr | 25.50 | 0.7500 | 0.3000 | 0.2000 | - | 5.0000 | '
                        f'60.00 | 0.6000 | 0.6500 | measured here ({out}) |')
