"""redundancy.py, prune.py (+ test.py on its output) and prune_baselines.py as a user runs them."""
import csv
import json

import numpy as np
import pytest
import torch
from mmengine.config import Config

from pgpsr.analysis.analysis_setup import model_and_batches
from pgpsr.registry import MODELS
from .helpers import ROOT, run_tool

CONFIG = 'configs/pgp_diffsr/pgp_dit_tiny_x4.py'


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(f'{ROOT}/{CONFIG}').model)
    with torch.no_grad():  # adaLN-zero blocks start as identities: give them weights
        for p in model.backbone.parameters():
            p.normal_(0, 0.05)
    path = tmp_path_factory.mktemp('ckpt') / 'model.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    return str(path)


def test_redundancy_tool_writes_table_and_heatmap(tmp_path, checkpoint):
    res = run_tool(['tools/analysis_tools/redundancy.py', CONFIG, checkpoint, '--out',
                    str(tmp_path), '--batches', '1', '--steps', '3'], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    rows = list(csv.DictReader(open(tmp_path / 'redundancy.csv')))
    assert len(rows) == 6 * 3  # blocks x steps
    assert rows[0]['adj_cosine'] == ''
    # rows[1]: the first block at step 1. Its adj_cosine is 1 - cos between that block's
    # outputs at steps 0 and 1, recomputed here on the same model, batch and seed with
    # forward hooks and numpy (the tool writes 6 significant digits)
    _, model, batches = model_and_batches(CONFIG, checkpoint, 1)
    name = rows[1]['block']
    outs = []
    block = model.backbone.blocks()[name][1]
    handle = block.register_forward_hook(
        lambda mod, args, out: outs.append(out.detach().double().numpy().reshape(len(out), -1)))
    try:
        with torch.no_grad():
            model.sample(model.data_preprocessor(batches[0], False)['inputs'], num_steps=3,
                         seed=0)
    finally:
        handle.remove()
    a, b = outs[0], outs[1]
    want = float(np.mean(1 - (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))))
    got = float(rows[1]['adj_cosine'])
    tol = 5e-6 * abs(want) + 3 * a.shape[1] * torch.finfo(torch.float32).eps
    assert abs(got - want) <= tol, (name, got, want)
    data = json.loads((tmp_path / 'redundancy.json').read_text())
    assert set(data['score']['cosine']) == {r['block'] for r in rows}
    assert (tmp_path / 'redundancy.png').stat().st_size > 5000


def test_prune_tool_output_loads_with_the_original_config(tmp_path, checkpoint):
    out = tmp_path / 'pruned.pth'
    res = run_tool(['tools/prune.py', CONFIG, checkpoint, '--blocks', '2', '--criterion',
                    'magnitude', '--lr-size', '16', '16', '--out', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    summary = json.loads(res.stdout[res.stdout.index('{'):])
    assert len(summary['removed']) == 2 and summary['macs_ratio'] < 0.8
    assert summary['after']['params'] < summary['before']['params']
    metrics = tmp_path / 'm.json'
    res = run_tool(['tools/test.py', CONFIG, str(out), '--work-dir', str(tmp_path / 'w'),
                    '--out', str(metrics)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert json.loads(metrics.read_text())['mean']['PSNR'] > 0
    res = run_tool(['tools/prune.py', CONFIG, checkpoint, '--blocks', '1', '--out', checkpoint])
    assert res.returncode != 0 and 'must differ' in res.stderr


def test_baselines_compare_criteria_on_the_same_batches(tmp_path, checkpoint):
    out = tmp_path / 'b.json'
    res = run_tool(['tools/analysis_tools/prune_baselines.py', CONFIG, checkpoint, '--ratio',
                    '0.34', '--batches', '1', '--steps', '2', '--random-seeds', '2',
                    '--lr-size', '16', '16', '--json', str(out)], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert [r['criterion'] for r in rows] == ['unpruned', 'cosine', 'kl', 'magnitude',
                                              'random (mean of 2)']
    assert all(r['step_macs'] < rows[0]['step_macs'] for r in rows[1:])
    assert '| unpruned |' in res.stdout
