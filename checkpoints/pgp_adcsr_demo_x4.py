# Shipped checkpoint checkpoints/pgp_adcsr_demo_x4.pth: PGP∘AdcSR's CPU demo student,
# composed from checkpoints/adcsr_teacher_demo_x4.pth blocks first: PGP-DiffSR's block
# stage removed bottleneck.0, bottleneck.1, encoder.0.1 and decoder.1.0 from the teacher's
# denoiser (400 iterations, distilled from the teacher), the student was sliced from that
# to AdcSR's 75% of the channels, with no time embedding, and its VAE decoder to 37.5%;
# then AdcSR's two stages (decoder on encoded GT, 600 iterations; adversarial
# distillation in the decoder's feature space from the unpruned teacher, 3000) on the
# real-photo set's training crops, 90% MATLAB-bicubic / 10% Real-ESRGAN pairs, this
# project's 2-core CPU. The checkpoint holds the student only; its removed blocks are
# recorded in it. Reproduce:
#   python tools/train_pgp_adcsr_demo.py    # -> work_dirs/pgp_adcsr_demo/
# Use:
#   python tools/infer.py checkpoints/pgp_adcsr_demo_x4.py checkpoints/pgp_adcsr_demo_x4.pth \
#       --input photo.png --output out/
_base_ = ['../configs/pgp_adcsr/pgp_adcsr_demo_stage2_x4.py']
# as the AdcSR demo student: the wavelet colour fix on (`--color-fix none` turns it off)
model = dict(decoder_ckpt='from_checkpoint', test_cfg=dict(color_fix='wavelet'))
load_from = None
