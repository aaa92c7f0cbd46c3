# AdcSR's CPU demo, step 2: the one-step teacher (OSEDiff-style: LR -> bicubic -> VAE
# encoder -> UNet once at t=999 -> x0 -> VAE decoder) on the demo VAE (vae_f4c8_demo.py,
# frozen). It predicts the residual over the encoded bicubic upsampling, with an L1 loss
# on the decoded image too. About 8 minutes on a 2-core CPU:
#   python tools/analysis_tools/strip_checkpoint.py work_dirs/adcsr_demo/vae/iter_1500.pth \
#       work_dirs/adcsr_demo/vae.pth    # weights only
#   python tools/train.py configs/adcsr/adcsr_teacher_demo_x4.py \
#       --work-dir work_dirs/adcsr_demo/teacher
# (tools/train_adcsr_demo.py runs all four steps.)
_base_ = ['./vae_f4c8_demo.py']
demo_vae = {{_base_.demo_vae}}
model = dict(
    _delete_=True,
    type='PGPDiffSR',
    scale=4,
    codec=dict(type='AutoencoderKLCodec', config=demo_vae, prefix='codec.vae.',
               pretrained='work_dirs/adcsr_demo/vae.pth'),
    backbone=dict(type='UNetDenoiser', in_channels=8, block_channels=(48, 96),
                  units_per_level=2, attention_levels=(1,), head_dim=12, norm_groups=8),
    scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                   beta_schedule='scaled_linear', prediction_type='sample'),
    residual=True,
    train_cfg=dict(one_step=True, one_step_timestep=999),
    # tiles at the training size: on whole held-out photos +0.3 dB PSNR-Y over untiled
    test_cfg=dict(one_step=True, one_step_timestep=999, tile=16, tile_overlap=4, tile_batch=64),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))
max_iters = 1200
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=600)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(checkpoint=dict(interval=600))
