"""Progressive pruning under FSDP (2 gloo ranks on the CPU): each stage boundary is a
restart, and the result equals an uninterrupted DDP run's, in which the hook removes the
blocks in place. Oracle: that DDP run (mmengine's Runner, torch's DDP, mmengine's
EMAHook), from the same initial weights, with the same stages, distillation, an active
gradient clip and an EMA (ShardedEMAHook under FSDP)."""
import re
from functools import partial
from types import SimpleNamespace

import pytest
import torch
from mmengine._strategy import DDPStrategy, DeepSpeedStrategy, FSDPStrategy
from mmengine.hooks import CheckpointHook, EMAHook
from mmengine.registry import init_default_scope
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop

from pgpsr.apis import load_config
from pgpsr.engine import DeviceFSDPStrategy
from pgpsr.engine.fsdp_strategy import block_wrap_policy, frozen_modules
from pgpsr.engine.hooks.sharded_pruning import (check_strategy, filter_checkpoint,
                                                prepare_runner, strategy_kind)
from pgpsr.pruning import drop_blocks
from pgpsr.registry import HOOKS, MODELS
from tests.test_tools.helpers import losses_by_iter, run_dist_train, run_tool, write_config

BASE = 'configs/pgp_diffsr/pgp_dit_tiny_prune_x4.py'
SCHEDULE = """
load_from = {init!r}
train_cfg = dict(type='IterBasedTrainLoop', max_iters=6, val_interval=3)  # EMA swaps mid-run
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=6))
optim_wrapper = dict(optimizer=dict(lr=1e-3), clip_grad=dict(max_norm=0.05))
param_scheduler = []
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=1, calib_steps=2,
         stages=[dict(at=2, parts=['encoder', 'bottleneck'], keep=1),
                 dict(at=4, parts=['decoder'], num_blocks=1)],
         distill=dict(output=1.0, feature=0.5)),
    dict(type={ema!r}, momentum=0.3),
]
"""


def tiny_model(cfg_path=BASE):
    init_default_scope('pgpsr')
    torch.manual_seed(0)
    return MODELS.build(load_config(cfg_path).model)


def load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def test_fsdp_restarts_equal_an_uninterrupted_ddp_run(tmp_path):
    init = tmp_path / 'init.pth'
    init_state = tiny_model().state_dict()
    torch.save(dict(state_dict=init_state, meta={}), init)
    ddp = write_config(tmp_path / 'ddp.py', SCHEDULE.format(init=str(init), ema='EMAHook'),
                       base=BASE)
    fsdp = write_config(tmp_path / 'fsdp.py', SCHEDULE.format(init=str(init), ema='ShardedEMAHook')
                        + "strategy = dict(type='DeviceFSDPStrategy')\n", base=BASE)
    res_ddp = run_dist_train(ddp, tmp_path / 'ddp')
    assert res_ddp.returncode == 0, res_ddp.stderr[-4000:]
    res = run_dist_train(fsdp, tmp_path / 'fsdp')
    assert res.returncode == 0, res.stderr[-4000:]
    log = res.stdout + res.stderr
    assert log.count('restarting from it with the blocks removed before sharding') == 2  # rank 0 logs

    want, got = load(tmp_path / 'ddp' / 'iter_6.pth'), load(tmp_path / 'fsdp' / 'iter_6.pth')
    assert [h['removed'] for h in got['progressive_prune']['history']] == \
        [h['removed'] for h in want['progressive_prune']['history']]
    assert got['progressive_prune']['done'] == [0, 1]
    for g, w in zip(got['progressive_prune']['history'], want['progressive_prune']['history']):
        assert g['scores'].keys() == w['scores'].keys()  # scored on the training weights
        assert all(abs(g['scores'][b] - w['scores'][b]) < 1e-4 for b in w['scores']), (g, w)
    assert set(got['state_dict']) == set(want['state_dict'])
    moved = 0.0
    for key, w in want['state_dict'].items():
        g = got['state_dict'][key]
        if w.is_floating_point():
            assert torch.allclose(g, w, rtol=0, atol=1e-5), key
            moved = max(moved, (w - init_state[key]).abs().max().item())
        else:
            assert torch.equal(g, w), key
    assert moved > 1e-3  # six steps at lr 1e-3 moved the weights well past the tolerance
    # state_dict holds the averages (EMAHook's layout), ema_state_dict the weights
    assert set(got['ema_state_dict']) == set(want['ema_state_dict'])
    assert int(got['ema_state_dict']['steps']) == int(want['ema_state_dict']['steps']) == 6
    ema_gap = 0.0
    for key, w in want['ema_state_dict'].items():
        g = got['ema_state_dict'][key]
        if key != 'steps' and w.is_floating_point():
            assert torch.allclose(g, w, rtol=0, atol=1e-5), key
            ema_gap = max(ema_gap, (w - want['state_dict'][key[len('module.'):]]).abs().max().item())
    assert ema_gap > 1e-3  # the averages lag the weights well past the tolerance
    # the optimizer state holds the kept parameters only, keyed by name
    assert set(got['optimizer']['state']) == \
        {k for k, v in got['state_dict'].items() if v.is_floating_point() and
         not k.startswith('num_')} - {'backbone.pos_embed'}
    l_ddp, l_fsdp = losses_by_iter(tmp_path / 'ddp'), losses_by_iter(tmp_path / 'fsdp')
    assert sorted(l_fsdp) == list(range(1, 7))
    assert all(abs(l_fsdp[i] - l_ddp[i]) < 1e-5 for i in l_ddp)
    # the last validation saw the averages (swapped in), which tools/test.py evaluates
    # from the checkpoint alone (one process: the hook stays out of a test run)
    res_test = run_tool(['tools/test.py', fsdp, str(tmp_path / 'fsdp' / 'iter_6.pth'),
                         '--work-dir', str(tmp_path / 'test')], timeout=300)
    assert res_test.returncode == 0, res_test.stderr[-3000:]
    psnr = r'Iter\((?:val|test)\) \[\d+/\d+\]\s+PSNR: ([\d.]+)'
    assert re.findall(psnr, log)[-1] == re.findall(psnr, res_test.stdout + res_test.stderr)[-1]


def test_filter_checkpoint_drops_removed_entries_and_records_the_drops():
    model = tiny_model()
    state = model.state_dict()
    before = set(state)
    optim = dict(state={k: dict(step=torch.tensor(1.)) for k in before},
                 param_groups=[dict(lr=1.0, params=sorted(before))])
    drop_blocks(model, ['decoder.1'])
    removed = before - set(model.state_dict())
    assert removed and all(k.startswith('backbone.dec_blocks.1.') for k in removed)
    ckpt = dict(state_dict=dict(state), optimizer=optim)
    filter_checkpoint(ckpt, removed, model)
    assert set(ckpt['state_dict']) == set(model.state_dict())
    assert not removed & set(optim['state'])
    assert set(optim['param_groups'][0]['params']) == before - removed
    fresh = tiny_model()
    fresh.load_state_dict(ckpt['state_dict'])  # the drops travel in the extra state
    assert fresh.backbone.dropped == ['decoder.1']


# mmengine's strategies re-request the current MMLogger with arguments
@pytest.mark.filterwarnings('ignore:.*the method `get_instance` should not accept:UserWarning')
def test_strategies_prune_in_place_by_restart_or_are_refused():
    assert strategy_kind(None) == strategy_kind(DDPStrategy()) == 'in_place'
    assert strategy_kind(FSDPStrategy()) == strategy_kind(DeviceFSDPStrategy()) == 'restart'
    deepspeed = object.__new__(DeepSpeedStrategy)  # building one needs deepspeed installed
    assert strategy_kind(deepspeed) == 'refused'
    check_strategy(DeviceFSDPStrategy())
    with pytest.raises(RuntimeError, match='cannot run under DeepSpeedStrategy'):
        check_strategy(deepspeed)


@pytest.mark.filterwarnings('ignore:.*the method `get_instance` should not accept:UserWarning')
def test_fsdp_without_shaping_before_wrap_is_refused_with_the_way_out():
    hook = HOOKS.build(dict(type='ProgressivePruneHook',
                            stages=[dict(at=1, parts=['decoder'], num_blocks=1)]))
    runner = SimpleNamespace(strategy=DeviceFSDPStrategy())
    with pytest.raises(RuntimeError, match='train with tools/train.py'):
        hook.before_train(runner)


def iter_loop(max_iters: int) -> IterBasedTrainLoop:
    loop = object.__new__(IterBasedTrainLoop)  # building one needs a runner and data
    loop._max_iters = max_iters
    return loop


@pytest.mark.filterwarnings('ignore:.*the method `get_instance` should not accept:UserWarning')
@pytest.mark.parametrize('case,message', [
    ('mmengine', "use type='DeviceFSDPStrategy'"),
    ('local', "keep state_dict_cfg='full'"),
    ('orig_params', 'keep model_wrapper.use_orig_params=False'),
    ('epochs', 'train by iterations'),
    ('last_iter', 'a stage at iteration 4 >= max_iters'),
    ('no_checkpoint_hook', 'keep default_hooks.checkpoint'),
    ('ema', "mmengine's EMAHook copies a sharded module; use ShardedEMAHook"),
])
def test_what_restarts_cannot_continue_is_refused_before_training(case, message):
    hook = HOOKS.build(dict(type='ProgressivePruneHook', stages=[
        dict(at=4 if case == 'last_iter' else 2, parts=['decoder'], num_blocks=1)]))
    strategy = dict(
        mmengine=FSDPStrategy,
        local=partial(DeviceFSDPStrategy, state_dict_cfg='local'),
        orig_params=partial(DeviceFSDPStrategy, model_wrapper=dict(use_orig_params=True)),
    ).get(case, DeviceFSDPStrategy)()
    loop = object.__new__(EpochBasedTrainLoop) if case == 'epochs' else iter_loop(4)
    hooks = [hook] + ([] if case == 'no_checkpoint_hook' else [CheckpointHook()]) + \
        ([EMAHook()] if case == 'ema' else [])
    runner = SimpleNamespace(strategy=strategy, hooks=hooks, train_loop=loop)
    with pytest.raises((ValueError, RuntimeError), match=re.escape(message)):
        prepare_runner(runner)


@pytest.mark.filterwarnings('ignore:.*the method `get_instance` should not accept:UserWarning')
def test_device_fsdp_strategy_policies():
    model = tiny_model()
    model.backbone.requires_grad_(False)
    model.backbone.final_linear.requires_grad_(True)
    frozen = frozen_modules(model)
    names = {id(m): n for n, m in model.named_modules()}
    # whole frozen subtrees, once each; the backbone itself is mixed
    assert 'backbone' not in {names[id(m)] for m in frozen}
    assert 'backbone.enc_blocks' in {names[id(m)] for m in frozen}
    assert not any(names[id(m)].startswith('backbone.enc_blocks.') for m in frozen)
    policy = block_wrap_policy(model)
    wrapped = {n for n, m in model.named_modules() if policy(m, False, 0)}
    assert wrapped == {f'backbone.{p}.{i}' for p, k in
                       (('enc_blocks', 3), ('mid_blocks', 2), ('dec_blocks', 3))
                       for i in range(k)}
    with pytest.raises(TypeError, match='has no backbone with a block_table'):
        block_wrap_policy(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="wrap must be None or 'blocks'"):
        DeviceFSDPStrategy(wrap='layers')
    assert DeviceFSDPStrategy().model_wrapper['use_orig_params'] is False
