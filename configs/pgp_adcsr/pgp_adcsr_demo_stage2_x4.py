# PGP∘AdcSR on the CPU demo, step 3 of 3: AdcSR's stage 2 on a student sliced from the
# block stage's pruned denoiser (step 1: model.block_source) to AdcSR's 75% of the
# channels, in the feature space of step 2's decoder (model.decoder_ckpt), distilled from
# the unpruned teacher exactly as AdcSR's own stage 2.
#   python tools/train.py configs/pgp_adcsr/pgp_adcsr_demo_stage2_x4.py --cfg-options \
#       model.block_source=work_dirs/pgp_adcsr_demo/blocks/iter_400.pth \
#       model.decoder_ckpt=work_dirs/pgp_adcsr_demo/stage1/iter_600.pth
_base_ = ['../adcsr/adcsr_demo_stage2_x4.py']
model = dict(teacher=dict(codec=dict(pretrained=None)),
             teacher_ckpt='{{ fileDirname }}/../../checkpoints/adcsr_teacher_demo_x4.pth',
             decoder_ratio=0.375, block_source=None)
