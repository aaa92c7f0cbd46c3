"""``exportable=True`` stages choose only removals a diffusers config can express: for any
scores the pruned UNet exports (oracle: diffusers builds the exported config and loads the
weights strictly), the stage's size rule holds, and what cannot stay exportable is
refused with the reason."""
import numpy as np
import pytest

from pgpsr.models.backbones.diffusers_export import to_diffusers
from pgpsr.models.pretrained.tiny_pretrained import tiny_model
from pgpsr.pruning import select_blocks
from pgpsr.registry import MODELS
from .conftest import build_model


def unet(arch):
    return MODELS.build(dict(type='DiffusersUNetDenoiser',
                             config=dict(tiny_model(arch).config))).eval()


def random_scores(bb, rng):
    return {n: float(rng.random()) for n in bb.blocks()}


STAGES = [dict(parts=['encoder', 'bottleneck'], ratio=0.3),
          dict(parts=['decoder'], num_blocks=2),
          dict(parts=['decoder'], threshold=0.4),
          dict(parts=['encoder', 'bottleneck', 'decoder'], keep=1)]


@pytest.mark.parametrize('arch', ['sd21', 'sdxl'])
def test_any_scores_leave_an_exportable_model(arch):
    removed_units = 0
    for seed in range(6):
        bb, rng = unet(arch), np.random.default_rng(seed)
        total = len(bb.blocks(include_dropped=True))
        for stage in STAGES:
            scores = random_scores(bb, rng)
            live = bb.blocks()
            names = select_blocks(bb, scores, dict(stage, exportable=True), total)
            if 'num_blocks' in stage:
                assert len(names) <= stage['num_blocks']
            if 'threshold' in stage:
                assert all(scores[n] < stage['threshold'] for n in names)
            if 'keep' in stage:
                for part in stage['parts']:
                    in_part = [n for n in live if live[n][0] == part]
                    assert len([n for n in names if n in in_part]) <= max(0, len(in_part) - 1)
            for n in names:
                bb.drop_block(n)
            assert bb.export_refusal(bb.dropped) is None
        removed_units += len([n for n in bb.dropped if '.attn.' not in n])
        to_diffusers(bb)  # builds and loads strictly
    assert removed_units > 0  # whole units went, not only transformer layers


def test_an_encoder_unit_takes_a_decoder_mirror_along():
    """The most redundant block alone would break the skips: it goes with the decoder
    unit that reads its skip, the pair scored by its less redundant member."""
    bb = unet('sd21')
    scores = {n: 0.9 for n in bb.blocks()}
    scores.update({'encoder.1.1': 0.01, 'decoder.1.1': 0.2, 'decoder.1.0': 0.5})
    stage = dict(parts=['encoder'], num_blocks=2, exportable=True)
    assert select_blocks(bb, scores, stage, 12) == ['encoder.1.1', 'decoder.1.1']
    plain = select_blocks(bb, scores, dict(stage, exportable=False), 12)
    assert plain[0] == 'encoder.1.1' and 'decoder.1.1' not in plain


def test_what_cannot_stay_exportable_is_refused():
    bb = unet('sd21')
    with pytest.raises(ValueError, match=r"removing \['encoder.1.1'\] leaves a model that "
                                         r"does not export: decoder units"):
        select_blocks(bb, {}, dict(blocks=['encoder.1.1'], exportable=True), 12)
    bb.drop_block('decoder.0.1')
    with pytest.raises(ValueError, match='does not export even before this stage: decoder units'):
        select_blocks(bb, {'encoder.1.1': 0.0}, dict(num_blocks=2, exportable=True), 12)
    dit = build_model(randomise=False).backbone
    with pytest.raises(ValueError, match='DiTDenoiser has no export format'):
        select_blocks(dit, {}, dict(num_blocks=1, exportable=True), 8)


def test_the_hook_applies_exportable_to_every_stage():
    from pgpsr.engine.hooks.progressive_prune_hook import ProgressivePruneHook
    hook = ProgressivePruneHook([dict(at=0, num_blocks=2),
                                 dict(at=1, num_blocks=2, exportable=False)], exportable=True)
    assert [s['exportable'] for s in hook.stages] == [True, False]
    # the default (False) leaves the stages as written
    assert 'exportable' not in ProgressivePruneHook([dict(at=0, num_blocks=1)]).stages[0]
