# PGP∘AdcSR on the CPU demo, step 2 of 3: AdcSR's stage 1 at the composed student's decoder
# width (37.5% of the teacher VAE decoder's channels, where AdcSR keeps 50%: the decoder
# runs at full resolution and carries most of the student's MACs). Independent of step 1.
_base_ = ['../adcsr/adcsr_demo_stage1_x4.py']
model = dict(teacher=dict(codec=dict(pretrained=None)),
             teacher_ckpt='{{ fileDirname }}/../../checkpoints/adcsr_teacher_demo_x4.pth',
             decoder_ratio=0.375)
