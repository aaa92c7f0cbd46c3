# AdcSR's CPU demo, step 4: stage 2. The student's denoiser (75% of the teacher's channels,
# no time embedding, a new conv_in on the LR itself: the f=4 VAE puts the latent grid on
# the LR grid) learns the teacher's clean latent in the stage-1 decoder's feature space
# (L1 + non-saturating GAN against encoded GT, discriminator = the teacher's denoiser).
#   python tools/train.py configs/adcsr/adcsr_demo_stage2_x4.py \
#       --work-dir work_dirs/adcsr_demo/stage2 --cfg-options \
#       model.teacher_ckpt=work_dirs/adcsr_demo/teacher/iter_1200.pth \
#       model.decoder_ckpt=work_dirs/adcsr_demo/stage1/iter_600.pth
_base_ = ['./adcsr_demo_stage1_x4.py']
model = dict(stage=2, discriminator=dict(_delete_=True, widths=None),
             gan_loss=dict(loss_weight=0.02),
             decoder_ckpt=None)
max_iters = 3000  # 1500 at a constant rate still improved: 26.35 dB PSNR-Y held out
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters + 1)
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=5e-4)),
    discriminator=dict(optimizer=dict(lr=1e-4)))
# one schedule per optimizer (mmengine applies the list to each wrapper of the dict)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=max_iters,
                        eta_min=1e-5)]
default_hooks = dict(checkpoint=dict(interval=1000))
