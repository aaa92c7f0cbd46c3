"""One denoiser step of a real-size pretrained backbone, unpruned vs pruned as its recipe.

Without the weights (none can be downloaded here) the released architectures are built
from their diffusers configs with random weights: parameters and MACs are exact (counted
on the meta device), latency and peak memory are those of the real shapes. The pruned
model removes the recipe's budget (15% of all blocks from the encoder and bottleneck,
then as many decoder blocks), restricted like the recipe (``exportable=True`` for the
UNets), in a seeded random order (with random weights the PGP criteria would measure
nothing real); which blocks go changes the numbers a little, how many goes is the
recipe's. Model-state memory per GPU (8 GPUs, fp32 AdamW, the unpruned parent as a bf16
teacher) comes from :mod:`.memory_plan`.
"""
from types import SimpleNamespace
from typing import Dict, List, Sequence

import torch

from pgpsr.evaluation.efficiency import autocast
from pgpsr.models.backbones import DiffusersTransformerDenoiser, DiffusersUNetDenoiser
from pgpsr.models.pretrained import diffusers_archs as archs
from pgpsr.pruning import count_params, score_blocks, select_blocks
from pgpsr.utils.op_counter import count_macs
from .memory_plan import GIB, STRATEGIES, model_state_bytes
from .timing import add_ratios, side_by_side

ARCHS = dict(sd21=archs.SD21_UNET, sdxl=archs.SDXL_UNET, dit=archs.DIT_XL_2)
LATENT_FACTOR = 8  # the SD VAE's
GPUS = 8


def _construct(arch_config: dict, unet: bool, conditioning: str = 'concat'):
    cls = DiffusersUNetDenoiser if unet else DiffusersTransformerDenoiser
    return cls(config=arch_config, conditioning=conditioning)


def build_backbone(arch: str, device='cpu', dtype=torch.float32, config=None):
    """``arch``'s released architecture (or ``config``, e.g. a tiny one) with random
    weights, built directly on ``device``."""
    with torch.device(device):
        bb = _construct(config or ARCHS[arch], arch != 'dit')
    # buffers made from numpy (DiT's sin-cos position table) ignore the device context
    return bb.to(device=device, dtype=dtype).eval()


def recipe_blocks(backbone, ratio: float = 0.15) -> List[str]:
    """The coarse stage of the pretrained recipes (``ratio`` of all blocks from the
    encoder and bottleneck) plus as many decoder blocks, in a seeded random order; only
    what a diffusers config can express for the UNets (their recipes' exportable=True)."""
    scores = score_blocks('random', SimpleNamespace(backbone=backbone), seed=0)
    n = len(backbone.blocks())
    exportable = isinstance(backbone, DiffusersUNetDenoiser)
    coarse = select_blocks(backbone, scores, dict(parts=['encoder', 'bottleneck'],
                                                   ratio=ratio, exportable=exportable), n)
    for b in coarse:  # the fine stage sees the coarse stage's result, as in training
        backbone.drop_block(b)
    fine = select_blocks(backbone, scores, dict(parts=['decoder'], num_blocks=len(coarse),
                                                exportable=exportable), n)
    return coarse + fine


def states_gib(params: int, teacher_params: int) -> Dict[str, float]:
    """Model states per GPU (GiB) of fine-tuning ``params`` on ``GPUS`` GPUs per strategy,
    with a bf16 teacher of ``teacher_params``."""
    return {s: round(model_state_bytes(params, GPUS, s, 32, teacher_params)['total'] / GIB, 1)
            for s in STRATEGIES}


def shared_weights_copy(backbone, removed: Sequence[str]):
    """``backbone`` with ``removed`` dropped, its tensors *shared* with the original (so
    SDXL's two versions fit in memory together, and can be timed alternately)."""
    unet = isinstance(backbone, DiffusersUNetDenoiser)
    cfg = dict(backbone.unet.config if unet else backbone.transformer.config)
    if unet:
        cfg['in_channels'] -= backbone.cond_channels  # widened again on construction
    with torch.device('meta'):
        pruned = _construct(cfg, unet, backbone.conditioning)
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
            ratio: float = 0.15, config=None) -> Dict:
    """Params, MACs (meta device), latency and peak memory (``device``, models
    alternating) of one step of the unpruned and the pruned backbone; ``rows[name]``
    in :mod:`.timing`'s schema, ``ratio`` to the unpruned one. ``config``: another
    architecture of ``arch``'s family (tiny ones in tests)."""
    dtype = dict(fp32=torch.float32, bf16=torch.bfloat16, fp16=torch.float16)[precision]
    rows = {}
    for name in ('unpruned', 'pruned'):
        meta = build_backbone(arch, 'meta', config=config)
        if name == 'pruned':
            removed = recipe_blocks(meta)
        args = step_inputs(meta, lr_hw, 'meta', torch.float32)
        rows[name] = dict(params=count_params(meta), macs=count_macs(lambda: meta(*args)))
        # stage 1 trains the parent alone; stage 2 distils from it (a frozen bf16 copy)
        rows[name]['states_gib'] = states_gib(
            rows[name]['params'], rows['unpruned']['params'] if name == 'pruned' else 0)
    del meta
    models = dict(unpruned=build_backbone(arch, device, dtype, config))
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
