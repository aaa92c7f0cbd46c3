"""results_table.py on the shipped PGP checkpoints: the README's claims as a regression
test (held-out photos, whole images, same run as the efficiency numbers)."""
import json

from .helpers import run_tool


def test_shipped_pruned_model_beats_bicubic_at_half_the_macs(tmp_path):
    res = run_tool(['tools/analysis_tools/results_table.py', '--out', str(tmp_path),
                    '--model', 'parent', 'checkpoints/pgp_dit_s1_x4.py',
                    'checkpoints/pgp_dit_s1_x4.pth',
                    '--model', 'pruned', 'checkpoints/pgp_dit_s1_pgp_x4.py',
                    'checkpoints/pgp_dit_s1_pgp_x4.pth',
                    '--lr-size', '16', '16', '--repeats', '1', '--photo-set', 'embedded',
                    '--lr-kinds', 'bicubic'], timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads((tmp_path / 'results.json').read_text())
    q = report['quality']['bicubic']['mean']
    assert set(q) == {'bicubic', 'parent', 'pruned', 'gt'}
    assert [r['image'] for r in report['quality']['bicubic']['images']] == ['coffee', 'chelsea']
    assert 29.0 < q['bicubic']['psnr_y'] < 29.8  # whole photos, MATLAB bicubic /4 and x4
    assert q['pruned']['psnr_y'] > q['bicubic']['psnr_y'] + 0.2
    assert q['pruned']['niqe'] < q['bicubic']['niqe']
    assert abs(q['pruned']['psnr_y'] - q['parent']['psnr_y']) < 0.3
    parent, pruned = report['benchmark']['models']
    assert (parent['model'], pruned['model']) == ('parent', 'pruned')
    assert pruned['ratio']['macs'] <= 0.5  # the budget
    md = (tmp_path / 'results.md').read_text()
    assert md.startswith('embedded held-out photos, bicubic LR') and '| pruned |' in md
    assert (tmp_path / 'images_bicubic' / 'coffee_pruned.png').exists()
