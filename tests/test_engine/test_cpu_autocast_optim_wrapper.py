"""CPUAutocastOptimWrapper from a config dict: bf16 forward inside its context, fp32
weights and a real update outside it."""
import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope


def test_forward_runs_in_bf16_and_the_step_updates_fp32_weights():
    init_default_scope('pgpsr')
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 4)
    wrapper = build_optim_wrapper(model, dict(type='CPUAutocastOptimWrapper',
                                              optimizer=dict(type='SGD', lr=0.1)))
    x = torch.randn(2, 8)
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(x)
    assert out.dtype == torch.bfloat16 and model(x).dtype == torch.float32
    loss = out.float().pow(2).mean()
    wrapper.update_params(loss)
    assert model.weight.dtype == torch.float32
    expected = before - 0.1 * torch.autograd.functional.jacobian(
        lambda w: torch.nn.functional.linear(x, w, model.bias).pow(2).mean(), before)
    assert torch.allclose(model.weight, expected, atol=0.02)  # bf16 forward: ~1e-2 error
    assert not torch.equal(model.weight, before)


def test_fp32_or_unknown_dtypes_are_refused():
    init_default_scope('pgpsr')
    with pytest.raises(ValueError, match='bfloat16 or float16'):
        build_optim_wrapper(torch.nn.Linear(2, 2), dict(
            type='CPUAutocastOptimWrapper', dtype='float32', optimizer=dict(type='SGD', lr=0.1)))
