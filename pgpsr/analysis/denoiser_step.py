"""One denoiser step of a real-size pretrained backbone, unpruned vs one-shot pruned.

Without the weights (none can be downloaded here) the released architectures are built
from their diffusers configs with random weights: parameters and MACs are exact (counted
on the meta device), latency and peak memory are those of the real shapes. The pruned
model removes the recipe's budget of blocks chosen by weight magnitude (data-free: with
random weights the PGP criteria would measure nothing real); which blocks go changes the
numbers a little, how many goes is the recipe's.
"""
from types import SimpleNamespace
from typing import Dict, List, Sequence

import torch

from pgpsr.evaluation.efficiency import autocast
from pgpsr.models.backbones import DiffusersUNetDenoiser
from pgpsr.models.backbones import diffusers_archs as archs
from pgpsr.pruning import score_blocks, select_blocks
from pgpsr.utils.op_counter import count_macs
from .timing import add_ratios, side_by_side

ARCHS = dict(sd21=archs.SD21_UNET, sdxl=archs.SDXL_UNET)
LATENT_FACTOR = 8  # the SD VAE's


def build_backbone(arch: str, device='cpu', dtype=torch.float32) -> DiffusersUNetDenoiser:
    with torch.device(device):
        bb = DiffusersUNetDenoiser(config=ARCHS[arch], conditioning='concat')
    return bb.to(dtype).eval()


def recipe_blocks(backbone, ratio: float = 0.15) -> List[str]:
    """The coarse stage of the pretrained-UNet recipe (``ratio`` of all blocks from the
    encoder and bottleneck) plus as many decoder blocks, in a seeded random order."""
    scores = score_blocks('random', SimpleNamespace(backbone=backbone), seed=0)
    n = len(backbone.blocks())
    coarse = select_blocks(backbone, scores, dict(parts=['encoder', 'bottleneck'],
                                                   ratio=ratio), n)
    fine = select_blocks(backbone, scores, dict(parts=['decoder'], num_blocks=len(coarse)),
                         n)
    return coarse + fine


def shared_weights_copy(backbone, removed: Sequence[str]):
    """``backbone`` with ``removed`` dropped, its tensors *shared* with the original (so
    SDXL's two versions fit in memory together, and can be timed alternately)."""
    cfg = dict(backbone.unet.config)
    cfg['in_channels'] -= backbone.cond_channels  # widened again on construction
    with torch.device('meta'):
        pruned = DiffusersUNetDenoiser(config=cfg, conditioning=backbone.conditioning)
    for b in removed:
        pruned.drop_block(b)
    pruned.load_state_dict(backbone.state_dict(), strict=False, assign=True)
    for name, buf in backbone.named_buffers(recurse=False):
        pruned.register_buffer(name, buf, persistent=False)
    left = [n for n, t in [*pruned.named_parameters(), *pruned.named_buffers()] if t.is_meta]
    if left:
        raise RuntimeError(f'not shared from the original: {left[:5]}')
    return pruned.eval()


def step_inputs(backbone, lr_hw: Sequence[int], device, dtype):
    h, w = (s * 4 // LATENT_FACTOR for s in lr_hw)  # x4 SR, then the VAE's factor
    c = backbone.latent_channels
    return (torch.zeros(1, c, h, w, device=device, dtype=dtype),
            torch.full((1,), 500, device=device, dtype=torch.long),
            torch.zeros(1, c, h, w, device=device, dtype=dtype))


def compare(arch: str, lr_hw=(64, 64), device='cpu', precision='fp32', repeats=3,
            ratio: float = 0.15) -> Dict:
    """Params, MACs (meta device), latency and peak memory (``device``, models
    alternating) of one step of the unpruned and the pruned backbone; ``rows[name]``
    in :mod:`.timing`'s schema, ``ratio`` to the unpruned one."""
    dtype = dict(fp32=torch.float32, bf16=torch.bfloat16, fp16=torch.float16)[precision]
    meta = build_backbone(arch, 'meta')
    removed = recipe_blocks(meta)
    rows = {}
    for name in ('unpruned', 'pruned'):
        if name == 'pruned':
            for b in removed:
                meta.drop_block(b)
        args = step_inputs(meta, lr_hw, 'meta', torch.float32)
        rows[name] = dict(params=sum(p.numel() for p in meta.parameters()),
                          macs=count_macs(lambda: meta(*args)))
    del meta
    models = dict(unpruned=build_backbone(arch, device, dtype))
    models['pruned'] = shared_weights_copy(models['unpruned'], removed)
    args = step_inputs(models['unpruned'], lr_hw, device, dtype)

    def call(m):
        def step():
            with autocast(device, precision):
                return m(*args)
        return step
    measured = side_by_side({k: call(m) for k, m in models.items()}, device, repeats)
    for name, m in measured.items():
        rows[name].update(m)
    add_ratios(rows.values(), rows['unpruned'])
    return dict(arch=arch, lr_size=list(lr_hw), precision=precision, device=str(device),
                removed=removed, blocks=len(models['unpruned'].blocks()), rows=rows)
