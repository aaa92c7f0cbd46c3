"""AdcSR's CPU demo, end to end: the exact steps behind checkpoints/adcsr_teacher_demo_x4
and checkpoints/adcsr_demo_x4, trained on the real-photo set (built first if missing, as
`make data` does). Finished steps are reused, an interrupted one resumes.

    python tools/train_adcsr_demo.py [--work-dir work_dirs/adcsr_demo] [--quick] \
        [--data-root data/photos]

1. the VAE (an autoencoder on the photo crops); 2. the one-step teacher on it; 3. stage 1,
the 50%-channel decoder; 4. stage 2, the 75%-channel denoiser by adversarial feature
distillation; then the inference-only copies that checkpoints/ ships.
"""
from pgpsr.apis.training import recipe_parser, recipe_steps
from pgpsr.converters.checkpoints import strip_checkpoint

C = 'configs/adcsr/'


def parse_args(argv=None):
    p = recipe_parser(__doc__.split('\n')[0], 'work_dirs/adcsr_demo')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    w, train = recipe_steps(args, C)
    print(strip_checkpoint(train('vae_f4c8_demo.py', 'vae'), w('vae.pth')))
    teacher = train('adcsr_teacher_demo_x4.py', 'teacher', **{
        'model.codec.pretrained': w('vae.pth')})
    stage1 = train('adcsr_demo_stage1_x4.py', 'stage1', **{
        'model.teacher.codec.pretrained': w('vae.pth')})
    stage2 = train('adcsr_demo_stage2_x4.py', 'stage2', **{
        'model.teacher.codec.pretrained': w('vae.pth'), 'model.teacher_ckpt': teacher,
        'model.decoder_ckpt': stage1})
    print(strip_checkpoint(teacher, w('adcsr_teacher_demo_x4.pth')))
    print(strip_checkpoint(stage2, w('adcsr_demo_x4.pth'), keep=['generator.']))
    print(f"done: {w('adcsr_teacher_demo_x4.pth')} (config "
          f"checkpoints/adcsr_teacher_demo_x4.py), {w('adcsr_demo_x4.pth')} (config "
          'checkpoints/adcsr_demo_x4.py)')


if __name__ == '__main__':
    main()
