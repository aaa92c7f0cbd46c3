# AdcSR's CPU demo, step 3: stage 1 on the demo teacher. The student's VAE decoder at 50%
# of the channels (sliced from the teacher VAE's) learns to decode encoded GT: L1 + patch
# GAN (+ LPIPS when VGG16 weights exist). Only the teacher's VAE is used here.
#   python tools/train.py configs/adcsr/adcsr_demo_stage1_x4.py \
#       --work-dir work_dirs/adcsr_demo/stage1 \
#       --cfg-options model.teacher.codec.pretrained=work_dirs/adcsr_demo/vae.pth
_base_ = ['./adcsr_teacher_demo_x4.py']
teacher = {{_base_.model}}
model = dict(
    _delete_=True,
    type='AdcSR',
    stage=1,
    teacher=teacher,
    teacher_ckpt=None,
    unet_widths=dict(block_channels=0.75, norm_groups=0.75),
    decoder_ratio=0.5,
    discriminator=dict(type='PatchDiscriminator', in_channels=3, base_channels=32,
                       num_conv=3, norm_cfg=dict(type='BN')),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0),
    gan_loss=dict(type='GANLoss', gan_type='vanilla', loss_weight=0.02),
    perceptual_loss=dict(type='LPIPSLoss', loss_weight=1.0),
    test_cfg=dict(tile=16, tile_overlap=4, tile_batch=64),  # as the teacher: the training size
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))
max_iters = 600
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters + 1)
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    generator=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.99)),
                   clip_grad=dict(max_norm=1.0)),
    discriminator=dict(type='OptimWrapper',
                       optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99)),
                       clip_grad=dict(max_norm=1.0)))
param_scheduler = []
default_hooks = dict(checkpoint=dict(interval=300))
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=False)
