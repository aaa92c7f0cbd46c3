"""ShardedEMAHook against mmengine's EMAHook: the same averages and the same checkpoint
layout, on one gloo process with real FSDP (the 2-rank run with pruning restarts is
tests/test_engine/test_sharded_pruning.py)."""
import copy
from types import SimpleNamespace

import pytest
import torch
import torch.distributed as dist
from mmengine.hooks import EMAHook

from pgpsr.engine import DeviceFSDPStrategy
from pgpsr.registry import HOOKS


def toy_model():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.BatchNorm1d(5),
                                torch.nn.Linear(5, 2))
    model[1].running_mean.normal_()  # a buffer, which follows the weights
    return model


@pytest.fixture
def one_process_group(tmp_path, monkeypatch):
    monkeypatch.setenv('LOCAL_RANK', '0')
    dist.init_process_group('gloo', init_method=f'file://{tmp_path / "store"}', rank=0,
                            world_size=1)
    try:
        yield
    finally:
        dist.destroy_process_group()


# mmengine's strategies re-request the current MMLogger with arguments
@pytest.mark.filterwarnings('ignore:.*the method `get_instance` should not accept:UserWarning')
@pytest.mark.parametrize('interval,begin_iter', [(1, 0), (2, 3)])
def test_averages_and_checkpoint_equal_emahooks(one_process_group, interval, begin_iter):
    plain = toy_model()
    strategy = DeviceFSDPStrategy()
    strategy.model = strategy._wrap_model(copy.deepcopy(plain))
    sharded = SimpleNamespace(model=strategy.model, strategy=strategy, iter=0, _resume=False,
                              hooks=[], max_iters=7)
    reference = SimpleNamespace(model=plain, iter=0, _resume=False)
    cfg = dict(momentum=0.3, interval=interval, begin_iter=begin_iter)
    ours = HOOKS.build(dict(type='ShardedEMAHook', **cfg))
    theirs = EMAHook(**cfg)
    ours.before_train(sharded)
    theirs.before_run(reference)
    torch.manual_seed(1)
    for it in range(7):  # an "optimizer step" on both copies, then the hooks
        steps = [torch.randn_like(p) for p in plain.parameters()]
        with torch.no_grad():
            for p, d in zip(plain.parameters(), steps):
                p.add_(d)
            for name, b in plain.named_buffers():
                if b.is_floating_point():
                    b.add_(0.5)
        sync_weights(strategy, plain)
        sharded.iter = reference.iter = it
        ours.after_train_iter(sharded, it)
        theirs.after_train_iter(reference, it)
    got = dict(state_dict=strategy.model_state_dict())
    want = dict(state_dict=plain.state_dict())
    ours.before_save_checkpoint(sharded, got)
    theirs.before_save_checkpoint(reference, want)
    assert got.keys() == want.keys() == {'state_dict', 'ema_state_dict'}
    for part in ('state_dict', 'ema_state_dict'):
        assert got[part].keys() == want[part].keys(), part
        for key, value in want[part].items():
            assert torch.allclose(got[part][key].to(value.dtype), value, atol=1e-6), (part, key)
    gap = (want['state_dict']['0.weight'] - plain[0].weight).abs().max()
    assert gap > 0.1  # the averages are not the weights
    # the model keeps training on its weights, not the averages
    assert torch.allclose(strategy.model_state_dict()['0.weight'], plain[0].weight)


def sync_weights(strategy, plain) -> None:
    """Give the FSDP copy the plain model's weights and buffers (FSDP shards them)."""
    strategy.load_model_state_dict(copy.deepcopy(plain.state_dict()))


@pytest.mark.filterwarnings('ignore:.*the method `get_instance` should not accept:UserWarning')
def test_a_resume_continues_the_averages(one_process_group):
    """Saved, loaded into a fresh model and hook as FlexibleRunner does (checkpoint first,
    then before_train): the averages, the weights and the step count come back."""
    strategy = DeviceFSDPStrategy()
    strategy.model = strategy._wrap_model(toy_model())
    runner = SimpleNamespace(model=strategy.model, strategy=strategy, iter=0, _resume=False,
                             hooks=[], max_iters=6)
    hook = HOOKS.build(dict(type='ShardedEMAHook', momentum=0.3))
    hook.before_train(runner)
    for it in range(3):
        with torch.no_grad():
            for p in strategy.model.parameters():
                p.add_(1.0)
        runner.iter = it
        hook.after_train_iter(runner, it)
    ckpt = dict(state_dict=strategy.model_state_dict())
    hook.before_save_checkpoint(runner, ckpt)
    weights = strategy.model_state_dict()

    fresh = DeviceFSDPStrategy()
    fresh.model = fresh._wrap_model(toy_model())
    again = SimpleNamespace(model=fresh.model, strategy=fresh, iter=3, _resume=True,
                            hooks=[], max_iters=6)
    resumed = HOOKS.build(dict(type='ShardedEMAHook', momentum=0.3))
    loaded = copy.deepcopy(ckpt)
    resumed.after_load_checkpoint(again, loaded)
    fresh.load_model_state_dict(loaded['state_dict'])  # what the runner loads
    resumed.before_train(again)
    assert resumed.steps == 3
    for key, value in fresh.model_state_dict().items():
        assert torch.equal(value, weights[key]), key
    out = dict(state_dict=fresh.model_state_dict())
    resumed.before_save_checkpoint(again, out)
    for key, value in ckpt['state_dict'].items():
        assert torch.equal(out['state_dict'][key], value), key


def test_refusals_name_the_way_out():
    with pytest.raises(ValueError, match='momentum'):
        HOOKS.build(dict(type='ShardedEMAHook', momentum=1.5))
    with pytest.raises(ValueError, match='update_buffers'):
        HOOKS.build(dict(type='ShardedEMAHook', update_buffers=True))
    hook = HOOKS.build(dict(type='ShardedEMAHook'))
    with pytest.raises(TypeError, match="use mmengine's EMAHook"):
        hook.before_train(SimpleNamespace(model=toy_model()))


@pytest.mark.filterwarnings('ignore:.*the method `get_instance` should not accept:UserWarning')
@pytest.mark.parametrize('case,message', [
    ('after_prune_hook', 'must run before ProgressivePruneHook'),
    ('local_state_dict', "state_dict_cfg='full'"),
    ('late_begin', 'begin_iter \\(11\\) is past max_iters \\(10\\)'),
    ('sound', None),
])
def test_what_would_average_or_save_the_wrong_weights_is_refused(one_process_group, case,
                                                                 message):
    strategy = DeviceFSDPStrategy(**({'state_dict_cfg': 'local'}
                                     if case == 'local_state_dict' else {}))
    strategy.model = strategy._wrap_model(toy_model())
    hook = HOOKS.build(dict(type='ShardedEMAHook', begin_iter=11 if case == 'late_begin' else 0))
    prune = HOOKS.build(dict(type='ProgressivePruneHook',
                             stages=[dict(at=1, parts=['decoder'], num_blocks=1)]))
    hooks = [prune, hook] if case == 'after_prune_hook' else [hook, prune]
    runner = SimpleNamespace(model=strategy.model, strategy=strategy, hooks=hooks,
                             max_iters=10, _resume=False)
    if message is None:
        hook.before_train(runner)
        assert len(hook.averages) == len(list(strategy.model.parameters()))
    else:
        with pytest.raises(ValueError, match=message):
            hook.before_train(runner)
