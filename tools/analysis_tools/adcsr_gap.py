"""Where an AdcSR student loses quality: its teacher's VAE, its pruned decoder, or the
distillation. PSNR-Y on the held-out photos (the results-table protocol) of

  vae              GT -> teacher VAE encoder -> teacher VAE decoder   (the teacher's bound)
  pruned_decoder   GT -> teacher VAE encoder -> student's decoder      (after stage 1)
  target           LR -> teacher latent -> student's decoder           (stage 2's target)
  student          LR -> student                                       (what ships)

    python tools/analysis_tools/adcsr_gap.py checkpoints/adcsr_demo_x4.py \
        checkpoints/adcsr_demo_x4.pth [--photo-set embedded|photos] [--json gap.json]
"""
import argparse
import sys

from pgpsr.utils.report_files import write_json


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--photo-set', default='embedded', choices=['embedded', 'photos'],
                   help="embedded: the 2 scikit-image photos (no download); photos: the "
                        "21 held-out photos of `make data`")
    p.add_argument('--json')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import numpy as np
    import torch
    from pgpsr.analysis.held_out import held_out_photos, score
    from pgpsr.apis import init_model, super_resolve

    model = init_model(args.config, args.checkpoint)
    if not hasattr(model, 'teacher'):
        sys.exit(f'{args.config} is not an AdcSR model')
    teacher, student = model.teacher, model.inference_module()

    def tensor(img):
        return torch.from_numpy(img).permute(2, 0, 1)[None].float() / 127.5 - 1

    def image(t):
        return ((t[0].clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).numpy()

    rows = {}
    with torch.no_grad():
        for name, gt, lr in held_out_photos(args.photo_set):
            z_gt = teacher.codec.encode(tensor(gt))
            z_t = model.teacher_latent(tensor(lr))
            outs = dict(vae=image(teacher.codec.decode(z_gt)),
                        pruned_decoder=image(student(z_gt, mode='reconstruct')),
                        target=image(student(z_t, mode='reconstruct')),
                        student=super_resolve(model, lr, color='none'))
            rows[name] = {k: score(gt, v)['psnr_y'] for k, v in outs.items()}
    mean = {k: float(np.mean([r[k] for r in rows.values()])) for k in next(iter(rows.values()))}
    for k, v in mean.items():
        each = '  '.join(f'{n} {r[k]:.2f}' for n, r in rows.items()) if len(rows) <= 4 else ''
        print(f'{k:15s} {v:6.2f} dB PSNR-Y   {each}')
    write_json(args.json, dict(mean=mean, per_image=rows))


if __name__ == '__main__':
    main()
