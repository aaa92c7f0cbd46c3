"""One-process FSDP on the CPU: the AMP loss scaler's state survives save and load."""
import os
import sys

import torch
import torch.distributed as dist
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from pgpsr.engine import DeviceFSDPStrategy

dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{sys.argv[1]}', rank=0,
                        world_size=1)
os.environ.setdefault('LOCAL_RANK', '0')


def prepared(scale: float):
    strategy = DeviceFSDPStrategy()
    torch.manual_seed(0)
    model = strategy._wrap_model(torch.nn.Sequential(torch.nn.Linear(4, 4)))
    wrapper = object.__new__(AmpOptimWrapper)  # mmengine's, built without its CUDA check
    OptimWrapper.__init__(wrapper, torch.optim.AdamW(model.parameters(), lr=0.1))
    wrapper.loss_scaler = torch.amp.GradScaler('cpu', init_scale=scale)
    strategy.model, strategy.optim_wrapper = model, wrapper
    return strategy, model, wrapper


saver, model, wrapper = prepared(77.0)
model(torch.randn(2, 4)).sum().backward()
wrapper.optimizer.step()
state = saver.optim_state_dict()
loader, _, fresh = prepared(65536.0)
loader.load_optim_state_dict(state)
print('SCALE', fresh.loss_scaler.get_scale(), 'STEP',
      next(iter(fresh.optimizer.state.values()))['step'].item())
dist.destroy_process_group()
