"""The README's first command, in its quick form: every step runs and the report holds
every model's numbers (the numbers of a 6-iteration run mean nothing)."""
import json

from .helpers import run_tool


def test_quick_demo_writes_a_complete_report(tmp_path):
    res = run_tool(['tools/demo.py', '--quick', '--work-dir', str(tmp_path)], timeout=1200)
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads((tmp_path / 'report.json').read_text())
    mean = report['evaluation']['mean']
    for key in ('bicubic', 'unpruned', 'pruned', 'pruned_no_adapter'):
        assert 20 < mean[key]['psnr_y'] < 40 and 0 < mean[key]['ssim_y'] < 1
    assert [m['model'] for m in report['benchmark']['models']] == \
        ['unpruned', 'pruned', 'pruned_no_adapter']
    assert report['benchmark']['models'][1]['step']['ratio']['macs'] < 0.8
    assert report['pruning_history'] and (tmp_path / 'comparison.png').exists()
    assert '| pruned |' in (tmp_path / 'report.md').read_text()
