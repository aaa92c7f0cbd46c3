# Shipped checkpoint checkpoints/adcsr_demo_x4.pth: AdcSR's CPU demo student, compressed
# from checkpoints/adcsr_teacher_demo_x4.pth: its denoiser at 75% of the channels with no
# time embedding, its VAE decoder at 50%, trained in two stages (decoder on encoded GT;
# adversarial distillation in the decoder's feature space) on the real-photo set's training
# crops (`make data`), x4 pairs 90% MATLAB-bicubic / 10% Real-ESRGAN second-order, this
# project's 2-core CPU. The checkpoint holds the student only (inference runs nothing
# else); its frozen teacher loads from the shipped teacher checkpoint beside this file
# (from any working directory). Reproduce:
#   python tools/train_adcsr_demo.py    # -> work_dirs/adcsr_demo/adcsr_demo_x4.pth
# Use:
#   python tools/infer.py checkpoints/adcsr_demo_x4.py checkpoints/adcsr_demo_x4.pth \
#       --input photo.png --output out/
_base_ = ['../configs/adcsr/adcsr_demo_stage2_x4.py']
# The wavelet colour fix (OSEDiff's) is on: without it the CPU-sized VAE shifts the mean
# colour of unseen photos by up to 21 levels (README "AdcSR"); `--color-fix none` turns it off.
model = dict(teacher=dict(codec=dict(pretrained=None)),
             teacher_ckpt='{{ fileDirname }}/adcsr_teacher_demo_x4.pth', decoder_ckpt='from_checkpoint',
             test_cfg=dict(color_fix='wavelet'))
load_from = None
