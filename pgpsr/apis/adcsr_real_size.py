"""AdcSR at its real size: OSEDiff (SD2.1-base UNet + SD VAE) against the student the
OSEDiff configs build from it, without any weights.

The pretrained folders of ``configs/adcsr/adcsr_osediff_stage1_x4.py`` are replaced by the
released architectures (random weights): parameters and MACs are exact (meta device),
latency and peak memory are those of the real shapes. OSEDiff also runs SD2.1's text
encoder once per image (counted here from its config) and DAPE, a RAM Swin-L tagger that
writes the prompt (not built here: its code and weights are not installed); the paper's
-74% parameters include both.
"""
import gc
from typing import Dict, Sequence

import torch

from pgpsr.evaluation.efficiency import peak_memory_mib, summarise_times, time_once
from pgpsr.models.backbones import diffusers_archs as archs
from pgpsr.pruning import count_params
from pgpsr.registry import MODELS
from pgpsr.utils.op_counter import count_macs
from .benchmarking import lr_image
from .runner_setup import load_config, prepare_environment

CONFIG = 'configs/adcsr/adcsr_osediff_stage1_x4.py'
PAPER = dict(params=-0.74, macs=-0.78, latency=-0.73)  # AdcSR vs OSEDiff, as published


def released_model_cfg(config: str = CONFIG, unet=archs.SD21_UNET, vae=archs.SD_VAE):
    """The AdcSR model config with OSEDiff's folders swapped for SD2.1's architectures
    (or the given ``unet`` / ``vae`` configs)."""
    cfg = load_config(config)
    prepare_environment(cfg, 'none')
    teacher = cfg.model.teacher
    teacher.codec.update(pretrained=None, subfolder=None, config=dict(vae))
    teacher.backbone.update(pretrained=None, subfolder=None, config=dict(unet),
                            grad_checkpointing=False)
    cfg.model.update(teacher_ckpt=None, decoder_ckpt='sliced', student_init=None,
                     gt_vae=None, perceptual_loss=None)
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


def count(lr_size: Sequence[int] = (128, 128)) -> Dict:
    """Params and MACs on the meta device: teacher, teacher + text encoder, student."""
    with torch.device('meta'):
        model = MODELS.build(released_model_cfg()).eval()
        text = _text_encoder()
    lr = lr_image(*lr_size, 'meta')
    tokens = torch.zeros(1, archs.SD21_TEXT_ENCODER['max_position_embeddings'],
                         dtype=torch.long, device='meta')
    parts = _parts(model)
    teacher = dict(params=count_params(model.teacher),
                   macs=count_macs(lambda: model.teacher.sample_any_size(lr)))
    text_row = dict(params=count_params(text), macs=count_macs(lambda: text(tokens)))
    deployed = count_params(model.generator) - sum(
        count_params(m) for m in model.generator.training_only())
    student = dict(params=deployed,
                   macs=count_macs(lambda: model.sample_any_size(lr)))
    rows = dict(osediff=teacher,
                osediff_with_text_encoder={k: teacher[k] + text_row[k] for k in teacher},
                adcsr_student=student)
    for row in rows.values():
        row['student_ratio'] = {k: round(student[k] / row[k], 4) for k in ('params', 'macs')}
    return dict(lr_size=list(lr_size), parts=parts, text_encoder=text_row, rows=rows)


def time_cpu(lr_size: Sequence[int] = (128, 128), repeats: int = 3, **archs_) -> Dict:
    """Latency and peak memory of one SR, teacher vs student alternating, random weights
    (``archs_``: ``unet`` / ``vae`` configs instead of the released ones)."""
    torch.manual_seed(0)
    model = MODELS.build(released_model_cfg(**archs_)).eval()
    lr = lr_image(*lr_size, 'cpu')
    calls = dict(osediff=lambda: model.teacher.sample_any_size(lr),
                 adcsr_student=lambda: model.sample_any_size(lr))
    peak = {k: peak_memory_mib(f, 'cpu') for k, f in calls.items()}
    times = {k: [] for k in calls}
    for _ in range(repeats):  # round-robin: the same machine noise for both
        for k, f in calls.items():
            gc.collect()
            times[k].append(time_once(f, 'cpu'))
    out = {k: dict(latency=summarise_times(times[k]), peak_mem_mib=peak[k]) for k in calls}
    out['student_ratio'] = round(out['adcsr_student']['latency']['median_s'] /
                                 out['osediff']['latency']['median_s'], 4)
    out.update(lr_size=list(lr_size), torch_threads=torch.get_num_threads())
    return out


def _row(name, row, timed, latency_ratio) -> str:
    r = row['student_ratio']
    t = timed.get('latency', {}).get('median_s')
    cells = [name, f"{row['params'] / 1e6:.1f}M", f"{row['macs'] / 1e9:.0f}G",
             f'{t:.1f}' if t is not None else '',
             f"{timed['peak_mem_mib']:.0f}" if timed else '',
             f"{r['params']:.2f}x, {r['macs']:.2f}x" +
             (f', {latency_ratio:.2f}x' if timed else '')]
    return '| ' + ' | '.join(cells) + ' |'


def to_markdown(report) -> str:
    h, w = report['counts']['lr_size']
    names = dict(osediff='OSEDiff (UNet + VAE)',
                 osediff_with_text_encoder='OSEDiff + SD2.1 text encoder',
                 adcsr_student='AdcSR student (pgpsr)')
    lines = [f'| model | params | MACs ({h}x{w} LR -> x4) | CPU latency (s) | peak mem (MiB) '
             '| student / model: params, MACs, latency |', '|---|---|---|---|---|---|']
    lat = report.get('latency', {})
    for key, row in report['counts']['rows'].items():
        ratio = lat.get('student_ratio') if key == 'osediff' else 1.0
        lines.append(_row(names[key], row, lat.get(key, {}), ratio))
    paper = ', '.join(f'{k} {v:+.0%}' for k, v in PAPER.items())
    lines.append(f'\nThe paper (AdcSR vs OSEDiff incl. its text encoder and DAPE): {paper}.')
    return '\n'.join(lines)
