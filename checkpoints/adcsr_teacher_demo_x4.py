# Shipped checkpoint checkpoints/adcsr_teacher_demo_x4.pth: AdcSR's CPU demo teacher, a
# one-step residual UNet (48/96 channels) on the demo VAE (f=4, 8 latent channels), both
# trained on the real-photo set's training crops (`make data`) with x4 pairs 90%
# MATLAB-bicubic / 10% Real-ESRGAN second-order, on this project's 2-core CPU. The
# checkpoint holds the VAE too. Reproduce (all four AdcSR steps):
#   python tools/train_adcsr_demo.py    # -> work_dirs/adcsr_demo/adcsr_teacher_demo_x4.pth
# Use:
#   python tools/infer.py checkpoints/adcsr_teacher_demo_x4.py \
#       checkpoints/adcsr_teacher_demo_x4.pth --input photo.png --output out/
_base_ = ['../configs/adcsr/adcsr_teacher_demo_x4.py']
# the VAE's weights are in the checkpoint; the wavelet colour fix is on (see adcsr_demo_x4.py)
model = dict(codec=dict(pretrained=None), test_cfg=dict(color_fix='wavelet'))
load_from = None
