# The unpruned parent of the headline recipe: a real-size DiT (~700M parameters, DiT-XL/2
# width and depth, U-ViT long skips) on SD-VAE latents, x4 real-world SR.
#   tools/dist_train.sh configs/pgp_diffsr/pgp_dit_unpruned_x4.py 8
# then prune it with configs/pgp_dit_x4.py.
# Needs the pretrained SD VAE at `sd_vae_path` (see configs/_base_/sd_vae.py) and photos
# under data/DF2K (see configs/_base_/datasets/gt_folder_x4.py).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/gt_folder_x4.py',
    '../_base_/schedules/iter_adamw.py',
    '../_base_/sd_vae.py',
]
scale = 4
model = dict(
    type='PGPDiffSR',
    scale=scale,
    codec=dict(type='AutoencoderKLCodec', config={{_base_.sd_vae_config}},
               pretrained={{_base_.sd_vae_path}}, tiling=False),
    backbone=dict(type='DiTDenoiser', in_channels=4, patch_size=2, hidden_size=1152,
                  num_heads=16, depth=(13, 2, 13), grad_checkpointing=True),
    scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                   beta_schedule='scaled_linear', prediction_type='v_prediction'),
    sample_scheduler=dict(type='DDIMScheduler', timestep_spacing='trailing'),
    train_cfg=dict(seed=0),
    test_cfg=dict(num_steps=20, start='noise', seed=0),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3),
)
max_iters = 200000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=5000)
optim_wrapper = dict(type='AmpOptimWrapper', dtype='bfloat16',
                     optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.0),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = [dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
                        end=1000)]
custom_hooks = [dict(type='EMAHook', momentum=1e-4, priority=49)]
default_hooks = dict(checkpoint=dict(interval=5000))
