"""A progress bar over the test images (mmengine's test loop only logs every N iters)."""
from typing import Optional, Sequence

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from tqdm import tqdm

from pgpsr.registry import HOOKS


@HOOKS.register_module()
class EvalProgressHook(Hook):
    """tqdm over the images of ``runner.test_dataloader`` (this rank's share), on the main
    process only; ``tools/test.py`` adds it.

    Args:
        desc: The bar's label.
    """
    priority = 'VERY_LOW'

    def __init__(self, desc: str = 'test') -> None:
        self.desc = desc
        self.bar: Optional[tqdm] = None

    def before_test_epoch(self, runner) -> None:
        loader = runner.test_dataloader
        total = len(loader) * (loader.batch_size or 1)
        self.bar = tqdm(total=min(total, len(loader.dataset)), desc=self.desc, unit='img',
                        disable=not is_main_process(), dynamic_ncols=True)

    def after_test_iter(self, runner, batch_idx: int, data_batch=None,
                        outputs: Optional[Sequence] = None) -> None:
        if self.bar is not None:
            self.bar.update(len(outputs) if outputs is not None else 1)

    def after_test_epoch(self, runner, metrics=None) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
