# AdcSR stage 2 on OSEDiff (the paper: Adam, G lr 1e-4, D lr 1e-6, batch 96, 200k iters):
# the 75%-width student UNet distils OSEDiff's clean latent in the stage-1 decoder's
# feature space; the discriminator is a full copy of OSEDiff's UNet reading those features.
#   tools/dist_train.sh configs/adcsr/adcsr_osediff_stage2_x4.py 8 --cfg-options \
#       model.decoder_ckpt=work_dirs/adcsr_osediff_stage1_x4/iter_50000.pth
_base_ = ['./adcsr_osediff_stage1_x4.py']
# As AdcSR's train.py: L1 + 1.0 x softplus adversarial, Adam with default betas and no
# gradient clipping, D lr 1e-6, the generator's lr halved half-way (MultiStepLR at epoch
# 100 of 200 there), fp16 + dynamic loss scale (stage 1's wrappers). The differences that
# remain are listed in docs/adcsr.md "Deviations from the reference code".
# The discriminator as there: a copy of plain SD2.1-base's UNet, conv_in widened to the
# features, peft LoRA (rank 4) with only LoRA + conv_in trained.
model = dict(stage=2,
             discriminator=dict(_delete_=True, lora_rank=4, init=dict(
                 pretrained='pretrained/stable-diffusion-2-1-base', subfolder='unet')),
             gan_loss=dict(loss_weight=1.0))
max_iters = 200000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10000)
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=1e-4, betas=(0.9, 0.999)), clip_grad=None),
    discriminator=dict(optimizer=dict(lr=1e-6, betas=(0.9, 0.999)), clip_grad=None))
param_scheduler = dict(
    _delete_=True,
    generator=[dict(type='MultiStepLR', milestones=[max_iters // 2], gamma=0.5,
                    by_epoch=False)],
    discriminator=[])
