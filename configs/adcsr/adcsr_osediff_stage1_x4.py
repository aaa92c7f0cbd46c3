# AdcSR stage 1 on its real teacher, OSEDiff (configs/adcsr/osediff_teacher_x4.py; the
# converted folder from tools/model_converters/osediff_to_pgpsr.py): pretrain the 50%-channel
# SD VAE decoder (sliced from OSEDiff's) on encoded GT with L1 + LPIPS + patch GAN.
# Training pairs: GT sub-images (512 px) degraded per batch on the GPU with AdcSR's milder
# Real-ESRGAN ranges. Weights are read from local paths only:
#   tools/dist_train.sh configs/adcsr/adcsr_osediff_stage1_x4.py 8
_base_ = ['./adcsr_osediff_tiny_stage1_x4.py', '../_base_/degradations/adcsr_x4.py']
osediff = 'pretrained/osediff'
model = dict(
    teacher=dict(codec=dict(pretrained=osediff),
                 backbone=dict(pretrained=osediff, grad_checkpointing=True),
                 test_cfg=dict(tile=128, tile_overlap=16)),
    discriminator=dict(base_channels=64, num_conv=3),
    # the reference's student: sliced from plain SD2.1-base (not OSEDiff), GroupNorm
    # groups per width, half decoder with 32 groups
    student_init=dict(pretrained='pretrained/stable-diffusion-2-1-base', subfolder='unet'),
    unet_norm_groups='per_width',
    decoder_norm_groups=32,
    # stage 2's feature space and real samples as in train.py: the student ends in a
    # trainable copy of the decoder's mid block; GT is encoded by the original SD VAE
    feature_point='mid_block',
    gt_vae=dict(pretrained='pretrained/stable-diffusion-2-1-base', subfolder='vae'),
    # AdcSR's test.py: AdaIN to the LR's own statistics on the raw output
    test_cfg=dict(tile=128, tile_overlap=16, color_fix='adain_lr', clamp_raw=False),
    data_preprocessor=dict(_delete_=True, type='DegradingDataPreprocessor',
                           degradation={{_base_.degradation}}, seed=0))
gt_train_pipeline = [
    dict(type='LoadSRImage', key='gt'),
    dict(type='RandomCropGT', crop_size=512),
    dict(type='RandomFlipRotate', keys=['gt']),
    dict(type='PackInputs'),
]
paired_pipeline = [
    dict(type='LoadSRImage', key='gt'),
    dict(type='LoadSRImage', key='img'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=4, num_workers=8, persistent_workers=True,
    dataset=dict(data_root='data/DF2K', gt_folder='multiscale_sub',
                 pipeline=gt_train_pipeline))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(data_root='data/RealSR/Test/4', gt_folder='HR', lq_folder='LR',
                 pipeline=paired_pipeline))
test_dataloader = val_dataloader
max_iters = 50000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=5000)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=5000))
# fp16 autocast with a dynamic loss scale (the reference's autocast + GradScaler); on a
# machine without CUDA tools/train.py runs these wrappers as bf16 CPU autocast (logged).
# Losses are computed in fp32 inside the model.
optim_wrapper = dict(
    generator=dict(type='AmpOptimWrapper', dtype='float16', loss_scale='dynamic',
                   optimizer=dict(lr=1e-4)),
    discriminator=dict(type='AmpOptimWrapper', dtype='float16', loss_scale='dynamic',
                       optimizer=dict(lr=1e-4)))
