"""pretrained_step.py's back-end: the pruned architecture is the recipe's (the UNets'
removals expressible in a diffusers config, as exportable=True promises; DiT's block 0
kept), and each row carries params/MACs/latency and the model states per GPU that
memory_plan gives for the stage (parent alone; pruned + its bf16 teacher)."""
import pytest

from pgpsr.analysis import denoiser_step
from pgpsr.analysis.memory_plan import GIB, model_state_bytes
from pgpsr.models.backbones.diffusers_export_plan import export_plan
from pgpsr.models.pretrained import diffusers_archs as archs

TINY = dict(sd21=archs.TINY_SD21_UNET, sdxl=archs.TINY_SDXL_UNET, dit=archs.TINY_DIT)


@pytest.mark.parametrize('arch', list(TINY))
def test_the_recipe_pruned_step_side_by_side(arch, monkeypatch):
    monkeypatch.setitem(denoiser_step.ARCHS, arch, TINY[arch])
    report = denoiser_step.compare(arch, lr_hw=(32, 32), repeats=1)
    full, pruned = report['rows']['unpruned'], report['rows']['pruned']
    assert report['removed'] and pruned['params'] < full['params']
    assert pruned['macs'] < full['macs'] and pruned['ratio']['params'] < 1
    assert full['latency']['runs'] == pruned['latency']['runs'] == 1
    want = round(model_state_bytes(pruned['params'], 8, 'fsdp', 32, full['params'])['total']
                 / GIB, 1)
    assert pruned['states_gib']['fsdp'] == want
    assert full['states_gib']['ddp'] == round(16 * full['params'] / GIB, 1)
    backbone = denoiser_step.build_backbone(arch, 'meta')
    if arch == 'dit':
        assert backbone.block_table()[0][0] not in report['removed']
    else:  # raises on anything a diffusers config cannot express
        export_plan(backbone, report['removed'])
