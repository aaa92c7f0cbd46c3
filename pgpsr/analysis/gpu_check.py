"""The GPU check: one report of what only a GPU can measure, ready to run when one is lent.

Sections (each runs even if another fails; a failure is recorded with its error):

- ``denoiser_steps``: one bf16 denoiser step of SD2.1, SDXL and DiT-XL/2 at real size
  (random weights, built directly on the device), unpruned vs pruned as the PGP recipes
  prune them: latency, peak memory, and MFU = 2 x counted MACs / latency / the card's
  dense bf16 peak;
- ``one_step_sr``: OSEDiff vs AdcSR's student, one 512x512 SR (bf16 autocast);
- ``tiled_sr``: AdcSR's student on a 2048x2048 output, tiled as its config tiles;
- ``training_step``: one training step of the SD2.1 PGP recipe (the parent with its
  phase-exchange adapter, AdamW, distillation from a bf16 copy as ``distill`` says),
  with its peak memory.

``tiny=True`` runs the same code on tiny architectures (the CPU test of this module).
"""
import copy
import time
import traceback
from typing import Callable, Dict, Optional

import torch

from pgpsr.evaluation.efficiency import autocast
from pgpsr.models.pretrained import diffusers_archs as archs
from pgpsr.models.pretrained.tiny_pretrained import TINY_VAE
from .timing import side_by_side

#: dense bf16 peak FLOP/s by card name (vendor datasheets; sparse figures are twice these)
PEAK_BF16 = (('H100 PCIe', 756e12), ('H100', 989e12), ('H200', 989e12), ('A100', 312e12),
             ('L40S', 362e12))
ADCSR_CONFIG = 'configs/adcsr/adcsr_osediff_stage1_x4.py'
PGP_SD21_CONFIG = 'configs/pgp_diffsr/pgp_sd21unet_x4.py'
TINY_ARCHS = dict(sd21=archs.TINY_SD21_UNET, sdxl=archs.TINY_SDXL_UNET, dit=archs.TINY_DIT)


def peak_flops(device) -> Optional[float]:
    device = torch.device(device)
    if device.type != 'cuda':
        return None
    name = torch.cuda.get_device_name(device)
    return next((f for key, f in PEAK_BF16 if key in name), None)


def denoiser_steps(device, tiny: bool, repeats: int) -> Dict:
    from .denoiser_step import compare
    peak, out = peak_flops(device), {}
    for arch in ('sd21', 'sdxl', 'dit'):
        report = compare(arch, (16, 16) if tiny else (64, 64), device, 'bf16', repeats,
                         config=TINY_ARCHS[arch] if tiny else None)
        for row in report['rows'].values():
            flops = 2 * row['macs'] / row['latency']['median_s']
            row['tflops'] = round(flops / 1e12, 3)
            row['mfu'] = round(flops / peak, 4) if peak else None
        out[arch] = report
    return out


def _adcsr_archs(tiny: bool) -> Dict:
    return dict(unet=archs.TINY_SD21_UNET, vae=TINY_VAE) if tiny else {}


def one_step_sr(device, tiny: bool, repeats: int) -> Dict:
    from .adcsr_real_size import time_sr
    return time_sr(ADCSR_CONFIG, (16, 16) if tiny else (128, 128), repeats, device, 'bf16',
                   warmup=1, **_adcsr_archs(tiny))


def tiled_sr(device, tiny: bool, repeats: int) -> Dict:
    """AdcSR's student on a 2048^2 output (tiny: 256^2) in tiles of 128 LR px (tiny: 16)."""
    from pgpsr.registry import MODELS
    from .adcsr_real_size import released_model_cfg
    from .benchmarking import lr_image
    side, tile, overlap = (64, 16, 4) if tiny else (512, 128, 16)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = MODELS.build(released_model_cfg(ADCSR_CONFIG, **_adcsr_archs(tiny)))
    model = model.to(device).eval()
    lr = lr_image(side, side, device)

    def sr():
        with autocast(device, 'bf16'):
            return model.sample_any_size(lr, tile=tile, tile_overlap=overlap)
    out = side_by_side(dict(adcsr_student=sr), device, repeats, warmup=1)['adcsr_student']
    return dict(out, lr=[side, side], sr=[4 * side, 4 * side], tile=tile, overlap=overlap)


def _training_batch(gt_side: int, device):
    from mmagic.structures import DataSample
    from .benchmarking import lr_image
    gt = (lr_image(gt_side, gt_side, device) + 1) * 127.5  # what a preprocessor receives
    lr = torch.nn.functional.interpolate(gt, scale_factor=0.25, mode='area')
    return dict(inputs=list(lr), data_samples=[DataSample(gt_img=g) for g in gt])


def training_step(device, tiny: bool, repeats: int) -> Dict:
    """The SD2.1 PGP recipe's model (random weights) and optimizer, one step under bf16
    autocast, distilling from a bf16 copy of itself as the recipe's teacher."""
    from mmengine.optim import build_optim_wrapper

    from pgpsr.apis import load_config
    from pgpsr.registry import MODELS
    cfg = load_config(PGP_SD21_CONFIG)
    unet, vae = (archs.TINY_SD21_UNET, TINY_VAE) if tiny else (archs.SD21_UNET, archs.SD_VAE)
    cfg.model.codec.update(pretrained=None, subfolder=None, config=dict(vae))
    cfg.model.backbone.update(pretrained=None, subfolder=None, config=dict(unet))
    distill = next(h['distill'] for h in cfg.custom_hooks
                   if h['type'] == 'ProgressivePruneHook')
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = MODELS.build(cfg.model).to(device)
    teacher = copy.deepcopy(model).to(getattr(torch, distill['dtype'])).eval()
    model.set_teacher(teacher, distill['output'], distill['feature'])
    wrapper = dict(cfg.optim_wrapper, type='AmpOptimWrapper', dtype='bfloat16') \
        if torch.device(device).type == 'cuda' else dict(
            cfg.optim_wrapper, type='CPUAutocastOptimWrapper', dtype='bfloat16')
    optim = build_optim_wrapper(model, wrapper)
    batch = _training_batch(64 if tiny else 512, device)
    model.train()

    def step():
        with torch.enable_grad():
            return model.train_step(copy.copy(batch), optim)
    out = side_by_side(dict(train_step=step), device, repeats, warmup=1)['train_step']
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    out.update(trainable_params=params, gt_size=64 if tiny else 512,
               losses=sorted(k for k in step() if k.startswith('loss_')),
               distill={k: distill[k] for k in ('output', 'feature', 'dtype')})
    if torch.device(device).type == 'cuda':
        out['max_allocated_mib'] = round(torch.cuda.max_memory_allocated(device) / 2 ** 20)
    return out


SECTIONS: Dict[str, Callable] = dict(denoiser_steps=denoiser_steps, one_step_sr=one_step_sr,
                                     tiled_sr=tiled_sr, training_step=training_step)


def run(device='cuda', tiny: bool = False, repeats: int = 3) -> Dict:
    """Every section's report, or its error; ``seconds`` per section and in all."""
    start = time.perf_counter()
    report = dict(device=str(device), tiny=tiny, torch=torch.__version__,
                  card=torch.cuda.get_device_name(device)
                  if torch.device(device).type == 'cuda' else None,
                  peak_bf16_flops=peak_flops(device), sections={})
    for name, fn in SECTIONS.items():
        t = time.perf_counter()
        try:
            result = dict(result=fn(device, tiny, repeats))
        except Exception as exc:  # noqa: B902 -- recorded; the other sections still run
            result = dict(error=f'{type(exc).__name__}: {exc}',
                          where=traceback.format_exc(limit=-3))
        result['seconds'] = round(time.perf_counter() - t, 1)
        report['sections'][name] = result
        if torch.device(device).type == 'cuda':
            torch.cuda.empty_cache()
    report['seconds'] = round(time.perf_counter() - start, 1)
    return report
