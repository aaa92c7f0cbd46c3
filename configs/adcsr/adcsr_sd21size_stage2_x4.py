# AdcSR stage 2 at full size (the paper: Adam, G lr 1e-4, D lr 1e-6, batch 96, 200k iters).
#   tools/dist_train.sh configs/adcsr/adcsr_sd21size_stage2_x4.py 8 --cfg-options \
#       model.teacher_ckpt=TEACHER.pth model.decoder_ckpt=STAGE1.pth
_base_ = ['./adcsr_sd21size_stage1_x4.py']
model = dict(stage=2, discriminator=dict(_delete_=True, widths=None),
             gan_loss=dict(loss_weight=0.1))
max_iters = 200000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10000)
optim_wrapper = dict(generator=dict(optimizer=dict(lr=1e-4)),
                     discriminator=dict(optimizer=dict(lr=1e-6)))
