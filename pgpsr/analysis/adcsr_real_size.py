"""AdcSR at its real size: OSEDiff (SD2.1-base UNet + SD VAE) against the student the
OSEDiff configs build from it, and the composed PGP∘AdcSR student (blocks removed, then
sliced: ``configs/pgp_adcsr/pgp_adcsr_osediff_stage2_x4.py``), without any weights.

The pretrained folders of the OSEDiff stage-1 config (the tool passes
``configs/adcsr/adcsr_osediff_stage1_x4.py``) are replaced by the released architectures
(random weights): parameters and MACs are exact (meta device), latency and peak memory
are those of the real shapes. OSEDiff also runs SD2.1's text
encoder once per image (counted here from its config) and DAPE, a RAM Swin-L tagger that
writes the prompt (not built here: its code and weights are not installed); the paper's
-74% parameters include both.
"""
from typing import Dict, Optional, Sequence

import torch

from pgpsr.apis import load_config, prepare_environment
from pgpsr.models.pretrained import diffusers_archs as archs
from pgpsr.pruning import count_params
from pgpsr.registry import MODELS
from pgpsr.utils.op_counter import count_macs
from .benchmarking import lr_image
from .timing import add_ratios, side_by_side

PAPER = dict(params=-0.74, macs=-0.78, latency=-0.73)  # AdcSR vs OSEDiff, as published


def released_model_cfg(config: str, unet=archs.SD21_UNET, vae=archs.SD_VAE):
    """The AdcSR model config with OSEDiff's folders swapped for SD2.1's architectures
    (or the given ``unet`` / ``vae`` configs)."""
    cfg = load_config(config)
    prepare_environment(cfg, 'none')
    teacher = cfg.model.teacher
    teacher.codec.update(pretrained=None, subfolder=None, config=dict(vae))
    teacher.backbone.update(pretrained=None, subfolder=None, config=dict(unet),
                            grad_checkpointing=False)
    # inference only (no discriminator); a composed student keeps its removed_blocks
    cfg.model.update(stage=None, teacher_ckpt=None, decoder_ckpt='sliced', student_init=None,
                     gt_vae=None, perceptual_loss=None, block_source=None)
    if vae is not archs.SD_VAE:  # a smaller VAE (tests): its half decoder's own groups
        cfg.model.decoder_norm_groups = None
    return cfg.model


def _text_encoder():
    from transformers import CLIPTextConfig, CLIPTextModel
    return CLIPTextModel(CLIPTextConfig(**archs.SD21_TEXT_ENCODER)).eval()


def _parts(model) -> Dict[str, int]:
    vae = model.teacher.codec.vae
    return dict(teacher_unet=count_params(model.teacher.backbone),
                teacher_vae_encoder=count_params(vae.encoder) + count_params(vae.quant_conv),
                teacher_vae_decoder=count_params(vae.decoder) +
                count_params(vae.post_quant_conv),
                student_unet=count_params(model.generator.unet),
                student_decoder=count_params(model.generator.decoder) +
                count_params(model.generator.post_quant_conv))


def _deployed(model) -> Dict:
    return count_params(model.generator) - sum(
        count_params(m) for m in model.generator.training_only())


def count(config: str, lr_size: Sequence[int] = (128, 128),
          composed: Optional[str] = None) -> Dict:
    """Params and MACs on the meta device: teacher, teacher + text encoder, student
    (``config``: the OSEDiff stage-1 config) and the ``composed`` config's student;
    ``ratio``: to OSEDiff's UNet + VAE."""
    with torch.device('meta'):
        model = MODELS.build(released_model_cfg(config)).eval()
        text = _text_encoder()
        other = MODELS.build(released_model_cfg(composed)).eval() if composed else None
    lr = lr_image(*lr_size, 'meta')
    tokens = torch.zeros(1, archs.SD21_TEXT_ENCODER['max_position_embeddings'],
                         dtype=torch.long, device='meta')
    parts = _parts(model)
    teacher = dict(params=count_params(model.teacher),
                   macs=count_macs(lambda: model.teacher.sample_any_size(lr)))
    text_row = dict(params=count_params(text), macs=count_macs(lambda: text(tokens)))
    student = dict(params=_deployed(model), macs=count_macs(lambda: model.sample_any_size(lr)))
    rows = dict(osediff=teacher,
                osediff_with_text_encoder={k: teacher[k] + text_row[k] for k in teacher},
                adcsr_student=student)
    if other is not None:
        parts['composed_student_unet'] = count_params(other.generator.unet)
        rows['pgp_adcsr_student'] = dict(
            params=_deployed(other), macs=count_macs(lambda: other.sample_any_size(lr)))
    add_ratios(rows.values(), teacher)
    return dict(lr_size=list(lr_size), parts=parts, text_encoder=text_row, rows=rows)


def time_cpu(config: str, lr_size: Sequence[int] = (128, 128), repeats: int = 3,
             composed: Optional[str] = None, **archs_) -> Dict:
    """Latency and peak memory of one SR on the CPU, teacher and student(s) alternating,
    random weights (``archs_``: ``unet`` / ``vae`` configs instead of the released ones);
    ``ratio``: to OSEDiff."""
    return time_sr(config, lr_size, repeats, composed=composed, **archs_)


def time_sr(config: str, lr_size: Sequence[int] = (128, 128), repeats: int = 3,
            device='cpu', precision: str = 'fp32', warmup: int = 0,
            composed: Optional[str] = None, **archs_) -> Dict:
    """:func:`time_cpu` on ``device`` under ``precision`` autocast (the GPU check)."""
    from pgpsr.evaluation.efficiency import autocast
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        with torch.device(device):
            model = MODELS.build(released_model_cfg(config, **archs_)).eval()
            other = MODELS.build(released_model_cfg(composed, **archs_)).eval() \
                if composed else None
    if other is not None:
        other.teacher = None  # only its student runs (the teacher is timed once, above)
    model.to(device)
    lr = lr_image(*lr_size, device)

    def call(fn):
        def run():
            with autocast(device, precision):
                return fn(lr)
        return run
    fns = dict(osediff=call(model.teacher.sample_any_size),
               adcsr_student=call(model.sample_any_size))
    if other is not None:
        fns['pgp_adcsr_student'] = call(other.to(device).sample_any_size)
    out = side_by_side(fns, device, repeats, warmup=warmup)
    add_ratios(out.values(), out['osediff'])
    out.update(lr_size=list(lr_size), torch_threads=torch.get_num_threads(),
               precision=precision, device=str(device))
    return out


def _row(name, row, timed) -> str:
    r, t = row['ratio'], timed.get('latency', {}).get('median_s')
    cells = [name, f"{row['params'] / 1e6:.1f}M", f"{row['macs'] / 1e9:.0f}G",
             f'{t:.1f}' if t is not None else '',
             f"{timed['peak_mem_mib']:.0f}" if timed else '',
             f"{r['params']:.2f}x, {r['macs']:.2f}x" +
             (f", {timed['ratio']['latency']:.2f}x" if timed else '')]
    return '| ' + ' | '.join(cells) + ' |'


NAMES = dict(osediff='OSEDiff (UNet + VAE)',
             osediff_with_text_encoder='OSEDiff + SD2.1 text encoder',
             adcsr_student='AdcSR student (pgpsr)',
             pgp_adcsr_student='PGP∘AdcSR student (pgpsr)')


def to_markdown(report) -> str:
    h, w = report['counts']['lr_size']
    lines = [f'| model | params | MACs ({h}x{w} LR -> x4) | CPU latency (s) | peak mem (MiB) '
             '| / OSEDiff: params, MACs, latency |', '|---|---|---|---|---|---|']
    lat, rows = report.get('latency', {}), report['counts']['rows']
    for key, row in rows.items():
        lines.append(_row(NAMES[key], row, lat.get(key, {})))
    paper = ', '.join(f'{k} {v:+.0%}' for k, v in PAPER.items())
    lines.append(f'\nThe paper (AdcSR vs OSEDiff incl. its text encoder and DAPE): {paper}.')
    return '\n'.join(lines)
