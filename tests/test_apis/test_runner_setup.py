"""finish_distributed: the process group ends while the interpreter is whole."""
import gc
import weakref

import torch.distributed as dist

from pgpsr.apis import finish_distributed


class _HoldsGroup:
    """Stands for a finished runner's FSDP module: holds the group, sits in a cycle."""

    def __init__(self, group):
        self.group, self.me = group, self


def test_finish_distributed_frees_cyclic_holders_of_the_group_before_destroying_it(tmp_path):
    dist.init_process_group('gloo', init_method=f'file://{tmp_path / "store"}', rank=0,
                            world_size=1)
    try:
        holder = weakref.ref(_HoldsGroup(dist.group.WORLD))
        gc.disable()  # the collector must not get there first by chance
        try:
            assert holder() is not None
            finish_distributed()
        finally:
            gc.enable()
        assert holder() is None
        assert not dist.is_initialized()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
