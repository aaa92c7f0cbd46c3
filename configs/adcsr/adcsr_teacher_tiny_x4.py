# A tiny one-step (OSEDiff-style) teacher for AdcSR: LR -> bicubic -> VAE encoder -> UNet
# once at t=999 -> x0 -> VAE decoder. A real (tiny) diffusers AutoencoderKL, f=8, so the
# student's PixelUnshuffle(2) of the LR lands on the teacher's latent grid. CPU, seconds.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/embedded_synthlr_x4.py',
    '../_base_/schedules/iter_adamw.py',
]
scale = 4
tiny_vae = dict(in_channels=3, out_channels=3, latent_channels=4,
                down_block_types=['DownEncoderBlock2D'] * 4,
                up_block_types=['UpDecoderBlock2D'] * 4,
                block_out_channels=[16, 32, 32, 32], layers_per_block=1, norm_num_groups=8,
                scaling_factor=0.5)
model = dict(
    type='PGPDiffSR',
    scale=scale,
    codec=dict(type='AutoencoderKLCodec', config=tiny_vae, frozen=False),
    backbone=dict(type='UNetDenoiser', in_channels=4, block_channels=(32, 64),
                  units_per_level=2, attention_levels=(1,), head_dim=16, norm_groups=8),
    scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                   beta_schedule='scaled_linear', prediction_type='sample'),
    train_cfg=dict(one_step=True, one_step_timestep=999),
    test_cfg=dict(one_step=True, one_step_timestep=999),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))
max_iters = 20
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
train_dataloader = dict(batch_size=2)
