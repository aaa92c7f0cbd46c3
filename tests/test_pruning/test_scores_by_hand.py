"""Pruning scores checked against their definitions written out here in numpy/torch
(not against pgpsr's own functions): the magnitude baseline, the per-step redundancy
table, the coarse/fine choice of measure per block and the threshold rule."""
import math

import numpy as np
import torch
from mmengine.config import Config
from torch import nn

from pgpsr.pruning import analyse_redundancy, block_redundancy, score_blocks, select_blocks
from pgpsr.registry import MODELS
from .conftest import data_batch

EPS32 = float(torch.finfo(torch.float32).eps)
EPS64 = float(np.finfo(np.float64).eps)


# ---- magnitude: mean |w| over the block's weight matrices / kernels only ------------------
def _weights_by_hand(block: nn.Module) -> np.ndarray:
    """Every Linear / Conv kernel of ``block`` (no biases, no norm affine parameters)."""
    return np.concatenate([m.weight.detach().double().abs().flatten().numpy()
                           for m in block.modules()
                           if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d))])


def _check_magnitude(backbone, mag):
    for name, (_, block) in backbone.blocks().items():
        w = _weights_by_hand(block)
        want = w.mean()
        # float32 sum of w.size terms, then one division
        assert abs(mag[name] - want) <= (w.size + 1) * EPS32 * want, (name, mag[name], want)


def test_magnitude_ignores_biases(model):
    """Block encoder.2 has the smallest weights but huge biases: still the least
    important, and every score is the mean |kernel| alone."""
    with torch.no_grad():
        for m in model.backbone.enc_blocks[2].modules():
            if isinstance(m, nn.Linear):
                m.weight.mul_(0.01)
                m.bias.fill_(50.0)
    mag = score_blocks('magnitude', model)
    _check_magnitude(model.backbone, mag)
    assert min(mag, key=mag.get) == 'encoder.2'


def test_magnitude_ignores_norm_weights():
    """A UNet's blocks hold GroupNorm affine parameters: they are not part of the score."""
    cfg = Config.fromfile('configs/pgp_diffsr/pgp_unet_tiny_x4.py')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    with torch.no_grad():
        for _, (_, block) in model.backbone.blocks().items():
            for m in block.modules():
                if isinstance(m, nn.GroupNorm):
                    m.weight.fill_(30.0)
                    m.bias.fill_(-30.0)
    _check_magnitude(model.backbone, score_blocks('magnitude', model))


# ---- the redundancy table against Phi and Psi written out ---------------------------------
def _phi(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over samples of 1 - <a, b> / (|a| |b|) on each flattened sample."""
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    cos = (a * b).sum(1) / (np.sqrt((a * a).sum(1)) * np.sqrt((b * b).sum(1)))
    return float((1.0 - cos).mean())


def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def _psi(a: np.ndarray, b: np.ndarray):
    """Mean over samples and token positions of KL(softmax_c(a) || softmax_c(b)) (BxNxC),
    and the float32 error allowance of that reduction over C channels."""
    logp, logq = _log_softmax(a), _log_softmax(b)
    p = np.exp(logp)
    kl = (p * (logp - logq)).sum(-1)
    scale = (p * (np.abs(logp) + np.abs(logq))).sum(-1).mean() + np.abs(a).max() + \
        np.abs(b).max()
    return float(kl.mean()), a.shape[-1] * EPS32 * scale


def test_redundancy_table_equals_the_measures_written_out(model):
    """io: each block's input vs output per step; adj: its output at step k vs k-1
    (nan at step 0); both averaged over the samples of the batch (two here)."""
    steps = 3
    calls = {}
    handles = [m.register_forward_hook(
        lambda mod, args, out, n=n: calls.setdefault(n, []).append(
            (args[0].detach().double().numpy().copy(), out.detach().double().numpy().copy())))
        for n, (_, m) in model.backbone.blocks().items()]
    try:
        table = analyse_redundancy(model, [data_batch(2)], num_steps=steps, seed=4)
    finally:
        for h in handles:
            h.remove()
    assert set(table) == set(calls)
    for name, seq in calls.items():
        assert len(seq) == steps
        row = table[name]
        for k, (x, out) in enumerate(seq):
            length = x[0].size  # cosine: a float32 reduction over one flattened sample
            assert abs(row['io_cosine'][k] - _phi(x, out)) <= 3 * length * EPS32, (name, k)
            want, tol = _psi(x, out)
            assert abs(row['io_kl'][k] - want) <= tol, (name, k, row['io_kl'][k], want)
            if k == 0:
                assert math.isnan(row['adj_cosine'][0]) and math.isnan(row['adj_kl'][0])
                continue
            prev = seq[k - 1][1]
            assert abs(row['adj_cosine'][k] - _phi(prev, out)) <= 3 * length * EPS32, \
                (name, k, row['adj_cosine'][k], _phi(prev, out))
            want, tol = _psi(prev, out)
            assert abs(row['adj_kl'][k] - want) <= tol, (name, k, row['adj_kl'][k], want)


# ---- coarse (adjacent steps) for encoder + bottleneck, fine (input vs output) for decoder --
def _row(part, io, adj):
    return dict(part=part, io_substitute=False, io_cosine=list(io), io_kl=[2 * v for v in io],
                adj_cosine=list(adj), adj_kl=[2 * v for v in adj])


def test_block_redundancy_picks_the_measure_by_part():
    nan = float('nan')
    table = {'encoder.0': _row('encoder', [0.9, 0.9, 0.9], [nan, 0.2, 0.4]),
             'bottleneck.0': _row('bottleneck', [0.8, 0.8, 0.8], [nan, 0.1, 0.3]),
             'decoder.0': _row('decoder', [0.3, 0.5, 0.7], [nan, 0.05, 0.05])}
    want = {'encoder.0': (0.2 + 0.4) / 2, 'bottleneck.0': (0.1 + 0.3) / 2,
            'decoder.0': (0.3 + 0.5 + 0.7) / 3}
    for measure, factor in (('cosine', 1), ('kl', 2)):
        got = block_redundancy(table, measure)
        assert set(got) == set(want)
        for n, v in want.items():
            assert abs(got[n] - factor * v) <= 4 * EPS64 * factor * v, (measure, n, got[n])
    # one sampling step: no adjacent steps, every block falls back to input vs output
    one = {n: _row(r['part'], r['io_cosine'][:1], [nan]) for n, r in table.items()}
    assert block_redundancy(one, 'cosine') == {'encoder.0': 0.9, 'bottleneck.0': 0.8,
                                               'decoder.0': 0.3}


def test_a_threshold_removes_only_blocks_strictly_below_it(model):
    """'every block whose score is below' the threshold: a score equal to it stays."""
    names = list(model.backbone.blocks())
    scores = {n: 1.0 for n in names}
    scores.update({'decoder.0': 0.125, 'decoder.1': 0.25, 'decoder.2': 0.5})
    stage = dict(parts=['decoder'], threshold=0.25)
    assert select_blocks(model.backbone, scores, stage, len(names)) == ['decoder.0']
