# AdcSR stage 1 on the tiny teacher: pretrain the 50%-channel VAE decoder (sliced from
# the teacher's) on encoded GT with L1 + LPIPS (when VGG16 weights exist) + patch GAN.
#   python tools/train.py configs/adcsr/adcsr_tiny_stage1_x4.py \
#       --cfg-options model.teacher_ckpt=work_dirs/adcsr_teacher_tiny_x4/iter_20.pth
_base_ = ['./adcsr_teacher_tiny_x4.py']
teacher = {{_base_.model}}
model = dict(
    _delete_=True,
    type='AdcSR',
    stage=1,
    teacher=teacher,
    teacher_ckpt=None,
    unet_widths=dict(block_channels=0.75, norm_groups=0.75),
    decoder_ratio=0.5,
    discriminator=dict(type='PatchDiscriminator', in_channels=3, base_channels=16,
                       num_conv=2, norm_cfg=dict(type='BN')),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0),
    gan_loss=dict(type='GANLoss', gan_type='vanilla', loss_weight=0.05),
    perceptual_loss=dict(type='LPIPSLoss', loss_weight=1.0),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))
# Two optimizers, one per top-level module; the model's own train_step drives them.
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    generator=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=2e-4, betas=(0.9, 0.99)),
                   clip_grad=dict(max_norm=1.0)),
    discriminator=dict(type='OptimWrapper',
                       optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99)),
                       clip_grad=dict(max_norm=1.0)))
param_scheduler = []
# each trainable module in its own DDP wrapper (the frozen teacher stays unwrapped)
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=False)
