# AdcSR stage 2 on OSEDiff (the paper: Adam, G lr 1e-4, D lr 1e-6, batch 96, 200k iters):
# the 75%-width student UNet distils OSEDiff's clean latent in the stage-1 decoder's
# feature space; the discriminator is a full copy of OSEDiff's UNet reading those features.
#   tools/dist_train.sh configs/adcsr/adcsr_osediff_stage2_x4.py 8 --cfg-options \
#       model.decoder_ckpt=work_dirs/adcsr_osediff_stage1_x4/iter_50000.pth
_base_ = ['./adcsr_osediff_stage1_x4.py']
model = dict(stage=2, discriminator=dict(_delete_=True),
             gan_loss=dict(loss_weight=0.1))
max_iters = 200000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10000)
optim_wrapper = dict(generator=dict(optimizer=dict(lr=1e-4)),
                     discriminator=dict(optimizer=dict(lr=1e-6)))
