"""One-process FSDP on the CPU: DeviceFSDPStrategy.prepare refuses two optimizer
wrappers, given as AdcSR's configs give them (one per top-level module) or built; one
wrapper prepares."""
import os
import sys

import torch
import torch.distributed as dist
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import init_default_scope

from pgpsr.engine import DeviceFSDPStrategy

dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{sys.argv[1]}', rank=0,
                        world_size=1)
os.environ.setdefault('LOCAL_RANK', '0')
init_default_scope('pgpsr')
model = torch.nn.ModuleDict(dict(generator=torch.nn.Linear(4, 4),
                                 discriminator=torch.nn.Linear(4, 4)))
sgd = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))
wrappers = dict(
    one=dict(optimizer=dict(type='SGD', lr=0.1)),
    config=dict(constructor='MultiOptimWrapperConstructor', generator=sgd,
                discriminator=sgd),
    built=OptimWrapperDict(**{name: OptimWrapper(torch.optim.SGD(part.parameters(), lr=0.1))
                              for name, part in model.items()}),
)[sys.argv[2]]
try:
    DeviceFSDPStrategy().prepare(model, optim_wrapper=wrappers)
    print('PREPARED')
except ValueError as exc:
    print('REFUSED', exc)
dist.destroy_process_group()
