"""The deployment path as a user runs it, on the shipped pruned PGP model (with its
phase-exchange adapter): tools/deployment/pytorch2onnx.py, then tools/infer.py with both
backends on a real photo, tiled, with the colour fix: the PNGs must be equal, or differ by
at most one level on fewer than 0.1% of the values (float rounding at .5 boundaries)."""
import json

import numpy as np
import onnx
from PIL import Image

from tests.test_tools.helpers import run_tool

CONFIG, CKPT = 'checkpoints/pgp_dit_s1_pgp_x4.py', 'checkpoints/pgp_dit_s1_pgp_x4.pth'


def test_export_then_both_backends_write_the_same_png(tmp_path):
    out = tmp_path / 'pgp.onnx'
    res = run_tool(['tools/deployment/pytorch2onnx.py', CONFIG, CKPT, '--out', str(out),
                    '--verify-size', '11', '17'], timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'opset 20, ONNX checker: passed' in res.stdout
    report = json.loads(res.stdout[res.stdout.index('{'):])
    assert report['pgpsr_kind'] == 'sr_tile' and report['max_abs_diff_to_torch'] <= 1e-4
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert meta['scale'] == '4' and meta['model'] == 'PGPDiffSR'

    import skimage.data
    src = tmp_path / 'in'
    src.mkdir()
    Image.fromarray(skimage.data.chelsea()[40:99, 60:143]).save(src / 'cat.png')  # 59x83
    pngs = {}
    for backend in ('torch', 'onnxruntime'):
        args = ['tools/infer.py', CONFIG, CKPT, '--input', str(src), '--output',
                str(tmp_path / backend), '--tile', '24', '--tile-overlap', '4',
                '--tile-batch', '4',
                '--color-fix', 'wavelet', '--backend', backend]
        res = run_tool(args + (['--onnx', str(out)] if backend == 'onnxruntime' else []),
                       timeout=600)
        assert res.returncode == 0, res.stderr[-3000:]
        # the graph really ran: 3 x 4 tiles of 24 px with overlap 4 cover 59 x 83, in
        # batches of 4 (the graph's batch axis is dynamic)
        assert ('backend onnxruntime: 3 forwards of' in res.stdout) == \
            (backend == 'onnxruntime'), res.stdout
        pngs[backend] = np.asarray(Image.open(tmp_path / backend / 'cat_x4.png')).astype(int)
    a, b = pngs['torch'], pngs['onnxruntime']
    assert a.shape == b.shape == (236, 332, 3)
    diff = np.abs(a - b)
    assert diff.max() <= 1 and (diff > 0).mean() < 1e-3, (diff.max(), (diff > 0).mean())


def test_onnxruntime_backend_errors_name_the_fix(tmp_path):
    img = tmp_path / 'a.png'
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(img)
    base = ['tools/infer.py', CONFIG, CKPT, '--input', str(img), '--output', str(tmp_path)]
    res = run_tool(base + ['--backend', 'onnxruntime'], timeout=300)
    assert res.returncode != 0 and 'needs --onnx FILE' in res.stderr
    assert 'pytorch2onnx.py' in res.stderr
    res = run_tool(base + ['--backend', 'onnxruntime', '--onnx', str(tmp_path / 'no.onnx')],
                   timeout=300)
    assert res.returncode != 0 and 'no.onnx does not exist' in res.stderr
    res = run_tool(base + ['--onnx', str(tmp_path / 'no.onnx')], timeout=300)
    assert res.returncode != 0 and 'only with --backend onnxruntime' in res.stderr


def test_torch_compile_backend_writes_the_eager_png(tmp_path):
    """--backend torch_compile (inductor) on the tiny one-step model: the same PNG as eager
    within one level on under 0.1% of the values."""
    import torch
    from mmengine.config import Config

    from pgpsr.registry import MODELS
    from tests.test_tools.helpers import ROOT
    config = 'configs/pgp_diffsr/pgp_dit_s1_tiny_x4.py'
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(f'{ROOT}/{config}').model)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    ckpt = tmp_path / 'tiny.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    import skimage.data
    src = tmp_path / 'in'
    src.mkdir()
    Image.fromarray(skimage.data.coffee()[100:131, 200:223]).save(src / 'cup.png')  # 31x23
    pngs = {}
    from pgpsr.deploy import compile_refusal
    for backend in ('torch', 'torch_compile'):
        res = run_tool(['tools/infer.py', config, str(ckpt), '--input', str(src), '--output',
                        str(tmp_path / backend), '--tile', '16', '--tile-overlap', '4',
                        '--backend', backend], timeout=600)
        if backend == 'torch_compile' and compile_refusal():  # old kernels: refused, named
            assert res.returncode != 0 and 'cannot use torch.compile' in res.stderr
            assert 'ATEN_CPU_CAPABILITY=default' in res.stderr
            return
        assert res.returncode == 0, res.stderr[-3000:]
        if backend == 'torch_compile':  # inductor really compiled the tile forward
            import re
            found = re.search(r'backend torch_compile: (\d+) compiled graphs', res.stdout)
            assert found and int(found.group(1)) >= 1, res.stdout
        pngs[backend] = np.asarray(Image.open(tmp_path / backend / 'cup_x4.png')).astype(int)
    diff = np.abs(pngs['torch'] - pngs['torch_compile'])
    assert pngs['torch'].shape == (124, 92, 3)
    assert diff.max() <= 1 and (diff > 0).mean() < 1e-3, (diff.max(), (diff > 0).mean())
