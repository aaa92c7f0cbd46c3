"""ProgressivePruneHook through tools/train.py: schedule, MACs, resume, DDP, reload."""
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from pgpsr.pruning import complexity
from pgpsr.registry import HOOKS, MODELS

from tests.test_tools.helpers import (ROOT, losses_by_iter, run_dist_train, run_tool,
                                      train_killed_after, write_config)

BASE = 'configs/pgp_diffsr/pgp_dit_tiny_prune_x4.py'
EXTRA = """
log_processor = dict(window_size=1)
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=1, calib_steps=3,
         stages=[dict(at=4, parts=['encoder', 'bottleneck'], keep=1),
                 dict(at=8, parts=['decoder'], num_blocks=1)],
         distill=dict(output=1.0, feature=0.5), measure_lr_size=(32, 32)),
    dict(type='EMAHook', momentum=0.1, priority=49),
]
train_dataloader = dict(num_workers=2, persistent_workers=True)
"""


def _load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def _dropped(ckpt):
    raw = ckpt['state_dict']['backbone._extra_state']
    return json.loads(bytes(raw.tolist()).decode())['dropped']


def test_schedule_macs_resume_mid_schedule_and_reload(tmp_path):
    cfg = write_config(tmp_path / 'cfg.py', EXTRA, base=BASE)
    full, cut = tmp_path / 'full', tmp_path / 'cut'
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(full)], timeout=500)
    assert res.returncode == 0, res.stderr[-3000:]
    c4, c8, c12 = (_load(full / f'iter_{i}.pth') for i in (4, 8, 12))
    # the coarse stage ran after 4 iterations, the fine one after 8
    parts = [n.split('.')[0] for n in _dropped(c4)]
    assert sorted(parts) == ['bottleneck', 'encoder', 'encoder']  # (3, 2, 3) -> keep 1 each
    assert len(_dropped(c8)) == 4 and _dropped(c8)[3].startswith('decoder')
    assert _dropped(c12) == _dropped(c8)
    hist = c12['progressive_prune']['history']
    assert [h['iter'] for h in hist] == [4, 8] and c12['progressive_prune']['done'] == [0, 1]
    # the logged params and MACs are exactly those of the model with the removed blocks
    # dropped (counted afresh here), and fall at every stage
    model = MODELS.build(Config.fromfile(osp.join(ROOT, BASE)).model)
    counts = [complexity(model, (32, 32))]
    for h in hist:
        for name in h['removed']:
            model.backbone.drop_block(name)
        counts.append(complexity(model, (32, 32)))
        assert {k: h[k] for k in counts[-1]} == counts[-1], (h, counts[-1])
    assert all(a['step_macs'] > b['step_macs'] and a['params'] > b['params']
               for a, b in zip(counts, counts[1:]))
    assert not any(k.startswith('backbone.dec_blocks.0.') for k in c12['state_dict'])
    assert any(k.startswith('backbone.dec_blocks.1.') for k in c12['state_dict'])
    assert len(c12['optimizer']['state']) == sum(1 for k, v in c12['state_dict'].items()
                                                  if v.dtype.is_floating_point and
                                                  'num_train_steps' not in k)

    # kill -9 between the two stages, resume: the rest is bit-identical
    train_killed_after(cfg, cut, 'iter_4.pth')
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(cut), '--resume'], timeout=500)
    assert res.returncode == 0, res.stderr[-3000:]
    a, b = losses_by_iter(full), losses_by_iter(cut)
    for it in range(5, 13):
        assert a[it] == b[it], (it, a[it], b[it])
    d12 = _load(cut / 'iter_12.pth')
    for key in ('state_dict', 'ema_state_dict'):
        assert c12[key].keys() == d12[key].keys()
        for name, value in c12[key].items():
            assert torch.equal(value, d12[key][name]), (key, name)
    assert d12['progressive_prune']['history'] == hist

    # the pruned checkpoint evaluates with the original config and no flags
    out = tmp_path / 'm.json'
    res = run_tool(['tools/test.py', BASE, str(full / 'iter_12.pth'), '--work-dir',
                    str(tmp_path / 't'), '--out', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert json.loads(out.read_text())['mean']['PSNR'] > 0


def test_two_gloo_processes_remove_the_same_blocks(tmp_path):
    """Each rank ranks the blocks in the opposite order (rank_probe.py): only rank 0's
    choice, broadcast, makes both remove the same ones. Every rank reports its own."""
    cfg = write_config(tmp_path / 'cfg.py', """
custom_imports = dict(imports=['tests.test_engine.rank_probe'], allow_failed_imports=False)
train_cfg = dict(max_iters=6, val_interval=100)
custom_hooks = [dict(type='ProgressivePruneHook', criterion='rank_skewed',
                     stages=[dict(at=2, parts=['encoder'], num_blocks=1),
                             dict(at=4, parts=['decoder'], ratio=0.25)]),
                dict(type='DroppedBlocksPerRank')]
default_hooks = dict(checkpoint=dict(interval=6))
""", base=BASE)
    work = tmp_path / 'w'
    res = run_dist_train(cfg, work)
    assert res.returncode == 0, res.stderr[-4000:]
    ranks = [json.loads((work / f'dropped_rank{r}.json').read_text()) for r in (0, 1)]
    assert ranks[0] == ranks[1], ranks
    # rank 0's order: the first encoder block, then the first 2 decoder blocks
    assert ranks[0]['dropped'] == ['encoder.0', 'decoder.0', 'decoder.1']
    assert _dropped(_load(work / 'iter_6.pth')) == ranks[0]['dropped']
    assert len(losses_by_iter(work)) == 6


@pytest.mark.parametrize('stage, message', [
    (dict(at=1, keep=1, num_blocks=2), 'exactly one'),
    (dict(at=1, keep=1, part=['decoder']), 'unknown key'),
    (dict(keep=1), 'missing the iteration'),
])
def test_bad_stage_config_is_named(stage, message):
    from pgpsr.registry import HOOKS
    with pytest.raises((KeyError, ValueError), match=message):
        HOOKS.build(dict(type='ProgressivePruneHook', stages=[stage]))


def test_calibration_comes_from_training_data_and_val_data_is_refused():
    from mmengine.config import Config

    from pgpsr.engine.hooks.progressive_prune_hook import calibration_loader_cfg
    cfg = Config.fromfile(osp.join(ROOT, 'configs/_base_/datasets/gt_folder_x4.py'))
    calib = calibration_loader_cfg(cfg, None)
    assert calib['dataset'] == cfg.train_dataloader.dataset  # DF2K, not the RealSR test set
    assert calib['sampler'] == dict(type='DefaultSampler', shuffle=False)
    assert calib['num_workers'] == 0
    with pytest.raises(ValueError, match=r'same data as val_dataloader .*RealSR'):
        calibration_loader_cfg(cfg, cfg.val_dataloader)
    with pytest.raises(ValueError, match='same data as test_dataloader'):
        calibration_loader_cfg(dict(test_dataloader=cfg.val_dataloader), cfg.val_dataloader)


def test_distill_dtype_is_checked_by_name():
    stages = [dict(at=1, parts=['decoder'], num_blocks=1)]
    HOOKS.build(dict(type='ProgressivePruneHook', stages=stages,
                     distill=dict(dtype='bfloat16')))
    with pytest.raises(ValueError, match="distill.dtype must be 'float32', 'bfloat16'"):
        HOOKS.build(dict(type='ProgressivePruneHook', stages=stages, distill=dict(dtype='int8')))
