"""model-index.yml and the metafiles: every file they name exists, and every result they
claim for a shipped checkpoint is the one in the README's results table."""
import os.path as osp

import yaml

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def models():
    index = yaml.safe_load(open(osp.join(ROOT, 'model-index.yml')))
    for meta in index['Import']:
        assert osp.exists(osp.join(ROOT, meta)), meta
        yield from yaml.safe_load(open(osp.join(ROOT, meta)))['Models']


def test_named_files_exist():
    for m in models():
        assert osp.exists(osp.join(ROOT, m['Config'])), m['Config']
        weights = m.get('Weights', '')
        if weights.startswith('checkpoints/'):
            assert osp.exists(osp.join(ROOT, weights)), weights


def test_shipped_results_match_the_readme_table():
    readme = open(osp.join(ROOT, 'README.md')).read()
    table = readme[readme.index('## Results'):readme.index('## Tests')]
    rows = [line for line in table.splitlines() if line.startswith('| ')]
    checked = 0
    for m in models():
        for res in m.get('Results', []):
            metrics = res['Metrics']
            cells = [f"{metrics['PSNR-Y']:.2f}", f"{metrics['SSIM-Y']:.4f}",
                     f"{metrics['NIQE']:.2f}"]
            assert any(all(f' {c} |' in row for c in cells) for row in rows), (m['Name'], cells)
            checked += 1
    assert checked >= 6
