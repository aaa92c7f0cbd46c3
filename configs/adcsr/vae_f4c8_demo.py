# The CPU demo's VAE: a small diffusers AutoencoderKL (f=4, 8 latent channels) trained as
# an autoencoder on the real-photo set's crops (L1 + small KL), the stand-in for SD's VAE that
# AdcSR's demo teacher encodes into and whose decoder its student prunes. f=4 at x4 puts
# the latent grid on the LR grid (the student's PixelUnshuffle factor is 1; SD's f=8 gives
# the paper's 2). Trained on the real-photo set (`make data`). About 5 minutes on a 2-core CPU:
#   python tools/train.py configs/adcsr/vae_f4c8_demo.py --work-dir work_dirs/adcsr_demo/vae
# Validation PSNR/SSIM measure reconstruction of 128 px crops of the held-out photos.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/photos_synthlr_x4.py',
    '../_base_/schedules/iter_adamw.py',
]
demo_vae = dict(in_channels=3, out_channels=3, latent_channels=8,
                down_block_types=['DownEncoderBlock2D'] * 3,
                up_block_types=['UpDecoderBlock2D'] * 3,
                block_out_channels=[32, 64, 64], layers_per_block=1, norm_num_groups=8,
                scaling_factor=1.0)
model = dict(
    type='CodecPretrainer',
    codec=dict(type='AutoencoderKLCodec', config=demo_vae, frozen=False),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0), kl_weight=1e-6)
max_iters = 1500
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=500))
