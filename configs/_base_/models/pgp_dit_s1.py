# The demo-size PGP-DiffSR-S1 model: a one-step residual DiT (8 blocks of width 96) on a
# pixel-unshuffle codec. It learns the residual over the bicubic upsampling, so it starts
# at bicubic quality; inference tiles at the training size (16 px LR) because a DiT
# generalises poorly to much larger token grids.

model = dict(
    type='PGPDiffSR',
    scale=4,
    residual=True,
    pixel_loss=dict(type='L1Loss', loss_weight=1.0),
    codec=dict(type='PixelUnshuffleCodec', factor=2),
    backbone=dict(type='DiTDenoiser', in_channels=12, patch_size=2, hidden_size=96,
                  num_heads=4, depth=(3, 2, 3)),
    scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                   beta_schedule='scaled_linear', prediction_type='sample'),
    sample_scheduler=dict(type='DDIMScheduler'),
    train_cfg=dict(one_step=True, one_step_timestep=999, seed=0),
    test_cfg=dict(num_steps=4, start='noise', seed=0, one_step=True, one_step_timestep=999,
                  tile=16, tile_overlap=4, tile_batch=64),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3),
)
