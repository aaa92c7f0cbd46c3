"""The composed PGP∘AdcSR student (AdcSR.removed_blocks / block_source): blocks leave the
teacher's denoiser before it is sliced to AdcSR's widths. Oracle: the expected student
tensors are built here by hand from the teacher's (or the block source's) state dict, as
AdcSR's slicing rule says (leading channels; a decoder unit's skip-concatenation input
per part; kept diffusers units renumbered as diffusers builds them), and the refusals
name the block."""
import re

import pytest
import torch
from mmengine.registry import init_default_scope

from pgpsr.apis import load_config
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS
from tests.test_tools.helpers import ROOT

OWN = f'{ROOT}/configs/adcsr/adcsr_tiny_stage2_x4.py'
OSEDIFF = f'{ROOT}/configs/adcsr/adcsr_osediff_tiny_stage2_x4.py'
OWN_REMOVED = ['bottleneck.0', 'encoder.0.1', 'decoder.1.1']
# the whole mid block, and level 1's second encoder unit with the decoder unit that would
# otherwise read the same (merged) skip: diffusers' layers_per_block=[2, 1], no mid block
DIFFUSERS_REMOVED = ['bottleneck.0', 'bottleneck.1', 'encoder.1.1', 'decoder.1.0']


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    return save_tiny_pipeline('sd21', str(tmp_path_factory.mktemp('osediff') / 'sd21'))


def _build(config, folder=None, **over):
    init_default_scope('pgpsr')
    cfg = load_config(config)
    if folder:
        cfg.model.teacher.codec.pretrained = cfg.model.teacher.backbone.pretrained = folder
    cfg.model.update(decoder_ckpt='sliced', **over)
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def _leading(t, shape):
    for d, n in enumerate(shape):
        t = t.narrow(d, 0, n)
    return t


SKIP_INPUT = re.compile(r'dec_units\.(\d+)\.resnet\.(norm1\.(weight|bias)|conv1\.weight|'
                        r'conv_shortcut\.weight)$')


def _own_expected(name, t, shape, src_units, dst_units):
    """AdcSR's slice of source tensor ``t`` for student tensor ``name`` (pgpsr's UNet): a
    decoder ResNet's first layers read cat([h, skip]), so each part keeps its leading
    channels."""
    m = SKIP_INPUT.search(name)
    if m:
        k, dim = int(m.group(1)), 0 if 'norm1' in name else 1
        src, dst = src_units[k], dst_units[k]
        t = torch.cat([t.narrow(dim, 0, dst.in_ch), t.narrow(dim, src.in_ch, dst.skip_ch)], dim)
    return _leading(t, shape)


def _check_own_slices(student, source_state, source_backbone):
    checked = 0
    for name, t in student.state_dict().items():
        if name.startswith(('conv_in.', 'conv_out.')) or name.endswith('_extra_state'):
            continue
        want = _own_expected(name, source_state[name], t.shape, source_backbone.dec_units,
                             student.dec_units)
        assert torch.equal(t, want), name
        checked += 1
    return checked


def test_own_unet_student_keeps_the_teachers_slice_of_each_kept_block():
    model = _build(OWN, removed_blocks=OWN_REMOVED)
    unet, teacher = model.generator.unet, model.teacher.backbone
    assert unet.dropped == OWN_REMOVED and teacher.dropped == []
    keys = unet.state_dict()
    assert not any(k.startswith(('mid_units.0.', 'enc_units.1.', 'dec_units.1.'))
                   for k in keys)
    assert any(k.startswith('dec_units.2.resnet.conv1') for k in keys)
    assert _check_own_slices(unet, teacher.state_dict(), teacher) > 50
    # the removed blocks are gone from the student, not from the teacher it distils from
    assert sum(p.numel() for p in unet.parameters()) < sum(
        p.numel() for p in _build(OWN).generator.unet.parameters())


def test_block_source_gives_its_removals_and_fine_tuned_weights(tmp_path):
    """A block stage's checkpoint (a PGPDiffSR on the teacher's architecture): the student
    takes its removed blocks and is sliced from its weights, not the teacher's."""
    init_default_scope('pgpsr')
    torch.manual_seed(3)
    pruned = MODELS.build(load_config(OWN).model.teacher)
    for name in OWN_REMOVED:
        pruned.backbone.drop_block(name)
    with torch.no_grad():
        for p in pruned.parameters():
            p.add_(torch.randn_like(p))
    path = tmp_path / 'iter_4.pth'
    torch.save(dict(meta=dict(iter=4), state_dict=pruned.state_dict()), path)
    unet = _build(OWN, block_source=str(path)).generator.unet
    assert unet.dropped == OWN_REMOVED
    assert _check_own_slices(unet, pruned.backbone.state_dict(), pruned.backbone) > 50


def test_a_student_checkpoint_reloads_with_its_depth_and_output(tmp_path):
    model = _build(OWN, removed_blocks=OWN_REMOVED).eval()
    again = _build(OWN, removed_blocks=OWN_REMOVED, stage=None).eval()
    with torch.no_grad():
        for p in model.generator.parameters():
            p.add_(0.01)
    again.load_state_dict(model.state_dict(), strict=False)
    lr = torch.rand(1, 3, 12, 20) * 2 - 1
    with torch.no_grad():
        assert torch.equal(again.generator(lr), model.generator(lr))


def test_diffusers_student_is_the_teachers_slice_with_a_shallower_config(folder):
    model = _build(OSEDIFF, folder, removed_blocks=DIFFUSERS_REMOVED)
    unet, teacher = model.generator.unet.unet, model.teacher.backbone.unet
    assert list(unet.config.layers_per_block) == [2, 1]
    assert unet.mid_block is None and len(unet.up_blocks[0].resnets) == 2
    t_state, checked = teacher.state_dict(), 0
    # up_blocks.0 (level 1) lost its first ResNet: the kept ones move up by one
    moved = {f'up_blocks.0.resnets.{i}.': f'up_blocks.0.resnets.{i + 1}.' for i in (0, 1)}
    for name, t in unet.state_dict().items():
        if name.startswith(('conv_in.', 'conv_out.')) or 'attn' in name or \
                'transformer' in name or 'norm1' in name or 'conv1' in name or \
                'conv_shortcut' in name:
            continue  # attention is sliced per head and skip inputs per part (own tests)
        src = next((name.replace(a, b) for a, b in moved.items() if name.startswith(a)), name)
        assert torch.equal(t, _leading(t_state[src], t.shape)), name
        checked += 1
    assert checked > 10
    # a skip-reading conv1 of a moved unit: its h part and its skip part, each leading
    name = 'up_blocks.0.resnets.0.conv1.weight'
    t = t_state['up_blocks.0.resnets.1.conv1.weight']  # reads 64 (h) + 64 (skip) channels
    want = torch.cat([t[:48, :48], t[:48, 64:64 + 48]], 1)  # 75% of 64 = 48
    assert torch.equal(unet.state_dict()[name], want)


def test_a_width_changing_block_is_refused_by_name():
    with pytest.raises(ValueError,
                       match=r"removed_blocks: .*'encoder\.1\.0'.*changes the feature shape"):
        _build(OWN, removed_blocks=['encoder.1.0'])


def test_an_unknown_block_is_refused_with_the_blocks_listed():
    with pytest.raises(ValueError, match=r"no block named 'bottleneck\.9'.*encoder\.0\.0"):
        _build(OWN, removed_blocks=['bottleneck.9'])


def test_a_level_left_without_its_mirror_is_refused_by_name(folder):
    # encoder.1.1 alone: two decoder units would read the same skip, which diffusers
    # cannot express
    with pytest.raises(ValueError, match=r"decoder\.1\.0.*decoder\.1\.1|decoder\.1\.1.*"
                                         r"decoder\.1\.0"):
        _build(OSEDIFF, folder, removed_blocks=['encoder.1.1'])


def test_removed_blocks_and_block_source_exclude_each_other(tmp_path):
    with pytest.raises(ValueError, match='removed_blocks or block_source, not both'):
        _build(OWN, removed_blocks=['bottleneck.0'], block_source=str(tmp_path / 'x.pth'))
