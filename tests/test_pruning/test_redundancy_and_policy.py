"""Scores over the sampling steps, the scorers and the stage policy."""
import math
import os.path as osp

import numpy as np
import pytest
import torch

from pgpsr.pruning import analyse_redundancy, block_redundancy, score_blocks, select_blocks
from .conftest import data_batch


def test_table_covers_every_block_and_step(model):
    table = analyse_redundancy(model, [data_batch()], num_steps=3)
    assert list(table) == list(model.backbone.blocks())
    for row in table.values():
        assert len(row['io_cosine']) == 3 and all(v >= 0 for v in row['io_kl'])
        assert math.isnan(row['adj_cosine'][0]) and not math.isnan(row['adj_cosine'][2])


def test_calibration_shows_progress_on_the_main_process_only(model, capfd, monkeypatch):
    """Calibration samples every batch in full (minutes at real size): a bar on stderr
    says how far it is, and only rank 0 prints it."""
    analyse_redundancy(model, [data_batch(1, 8)] * 2, num_steps=1)
    err = capfd.readouterr().err
    assert 'pruning calibration' in err and '/2' in err
    import pgpsr.pruning.redundancy as redundancy
    monkeypatch.setattr(redundancy, 'is_main_process', lambda: False)
    analyse_redundancy(model, [data_batch(1, 8)] * 2, num_steps=1)
    assert 'pruning calibration' not in capfd.readouterr().err


def test_an_identity_block_is_found_most_redundant(model):
    blk = model.backbone.dec_blocks[1]
    with torch.no_grad():  # zero gates: the block returns its (skip-fused) input
        blk.ada[1].weight.zero_()
        blk.ada[1].bias.zero_()
        blk.skip_linear.weight.copy_(torch.cat([torch.eye(64), torch.zeros(64, 64)], 1))
        blk.skip_linear.bias.zero_()
    table = analyse_redundancy(model, [data_batch()], num_steps=2)
    for measure in ('cosine', 'kl'):
        scores = block_redundancy(table, measure)
        decoder = {n: v for n, v in scores.items() if n.startswith('decoder')}
        assert min(decoder, key=decoder.get) == 'decoder.1'
        assert decoder['decoder.1'] < 1e-5
    stage = dict(parts=['decoder'], threshold=1e-4)
    assert select_blocks(model.backbone, block_redundancy(table), stage, 8) == ['decoder.1']


def test_random_is_seeded_and_magnitude_finds_small_weights(model):
    assert score_blocks('random', model, seed=1) == score_blocks('random', model, seed=1)
    assert score_blocks('random', model, seed=1) != score_blocks('random', model, seed=2)
    with torch.no_grad():
        for p in model.backbone.enc_blocks[2].parameters():
            p.mul_(0.01)
    mag = score_blocks('magnitude', model)
    assert min(mag, key=mag.get) == 'encoder.2'
    with pytest.raises(ValueError, match='unknown pruning criterion'):
        score_blocks('l2', model)


def test_scorers_are_registered_classes_with_explicit_arguments(model):
    """Each criterion builds from a config dict in PRUNE_SCORERS and equals the measure
    it names; an argument a scorer does not take is an error, not swallowed."""
    from pgpsr.registry import PRUNE_SCORERS
    assert set(PRUNE_SCORERS.module_dict) == {'cosine', 'kl', 'joint', 'random', 'magnitude'}
    batches = [data_batch()]
    table = analyse_redundancy(model, batches, num_steps=2, seed=3)
    for measure in ('cosine', 'kl'):
        scorer = PRUNE_SCORERS.build(dict(type=measure, num_steps=2))
        assert scorer.calibrated and scorer(model, batches, 3) == \
            block_redundancy(table, measure)
    joint = PRUNE_SCORERS.build(dict(type='joint', thresholds=dict(cosine=0.5, kl=0.25),
                                     num_steps=2))(model, batches, 3)
    phi, psi = block_redundancy(table, 'cosine'), block_redundancy(table, 'kl')
    assert joint == {n: max(phi[n] / 0.5, psi[n] / 0.25) for n in phi}
    assert not PRUNE_SCORERS.get('magnitude').calibrated
    with pytest.raises(TypeError):
        score_blocks('magnitude', model, num_steps=2)
    with pytest.raises(TypeError):
        score_blocks('random', model, thresholds=dict(cosine=0.2))


def test_stage_sizes(model):
    bb = model.backbone
    scores = {n: float(i) for i, n in enumerate(reversed(list(bb.blocks())))}
    # keep=1 per part: 2 of 3 encoder and 1 of 2 bottleneck blocks, lowest scores first
    coarse = select_blocks(bb, scores, dict(parts=['encoder', 'bottleneck'], keep=1), 8)
    assert sorted(coarse) == ['bottleneck.1', 'encoder.1', 'encoder.2']
    assert select_blocks(bb, scores, dict(parts=['decoder'], num_blocks=2), 8) == \
        ['decoder.2', 'decoder.1']
    assert len(select_blocks(bb, scores, dict(ratio=0.25), 8)) == 2
    assert select_blocks(bb, scores, dict(blocks=['encoder.0']), 8) == ['encoder.0']
    with pytest.raises(KeyError, match='not live'):
        select_blocks(bb, scores, dict(blocks=['encoder.9']), 8)


def _pretrained_model(arch, tmp_path):
    from mmengine.config import Config

    from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
    from pgpsr.registry import MODELS
    cfg = Config.fromfile(osp.join(ROOT, 'configs/pgp_diffsr', CONFIGS[arch]))
    folder = save_tiny_pipeline(arch, str(tmp_path / arch))
    cfg.model.codec.pretrained = cfg.model.backbone.pretrained = folder
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = dict(sd21='pgp_sd21unet_tiny_x4.py', sdxl='pgp_sdxlunet_tiny_x4.py',
               dit='pgp_dit_pretrained_tiny_x4.py', unet='pgp_unet_tiny_x4.py')


@pytest.mark.parametrize('arch', ['unet', 'sdxl', 'dit'])
def test_every_backbone_gets_scores_for_every_block(arch, tmp_path):
    """pgpsr's UNet, an SDXL-shaped diffusers UNet (units + transformer layers) and a
    diffusers DiT: every block gets finite io and adjacent-step scores; width-changing
    units are scored with the documented substitute and marked."""
    if arch == 'unet':
        from mmengine.config import Config

        from pgpsr.registry import MODELS
        model = MODELS.build(Config.fromfile(osp.join(ROOT, 'configs/pgp_diffsr',
                                                      CONFIGS[arch])).model)
    else:
        model = _pretrained_model(arch, tmp_path)
    table = analyse_redundancy(model, [data_batch(1, 16)], num_steps=3)
    assert list(table) == list(model.backbone.blocks())
    for name, row in table.items():
        for kind in ('io_cosine', 'io_kl'):
            assert all(np.isfinite(v) for v in row[kind]), (name, kind, row[kind])
        assert np.isfinite(row['adj_cosine'][1:]).all()
    shape_changing = {n for n in table if not model.backbone.is_droppable(n)}
    if arch != 'dit':
        assert shape_changing and all(table[n]['io_substitute'] for n in shape_changing)
    scores = block_redundancy(table)
    assert set(scores) == set(table) and all(np.isfinite(list(scores.values())))
