"""Imported by test training configs (``custom_imports``): hooks that report what ran."""
import json
import os.path as osp

from mmengine.hooks import Hook

from pgpsr.registry import HOOKS
from pgpsr.utils.wrappers import unwrap


@HOOKS.register_module()
class BackboneDtypeProbe(Hook):
    """Writes ``backbone_dtypes.json``: the dtypes the backbone's output had in training."""

    def before_train(self, runner) -> None:
        self.seen = set()
        backbone = unwrap(runner.model).backbone
        backbone.register_forward_hook(
            lambda module, args, out: self.seen.add(str(out.dtype)) if module.training
            else None)

    def after_train(self, runner) -> None:
        with open(osp.join(runner.work_dir, 'backbone_dtypes.json'), 'w') as f:
            json.dump(sorted(self.seen), f)
