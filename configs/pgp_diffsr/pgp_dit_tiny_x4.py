# A tiny DiT that trains on the embedded photos on a CPU in seconds (tests, smoke runs).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/embedded_synthlr_x4.py',
    '../_base_/schedules/iter_adamw.py',
]
scale = 4
model = dict(
    type='PGPDiffSR',
    scale=scale,
    codec=dict(type='PixelUnshuffleCodec', factor=2),
    backbone=dict(type='DiTDenoiser', in_channels=12, patch_size=2, hidden_size=64,
                  num_heads=4, depth=(2, 2, 2)),
    scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                   beta_schedule='scaled_linear', prediction_type='epsilon'),
    sample_scheduler=dict(type='DDIMScheduler'),
    train_cfg=dict(seed=0),
    test_cfg=dict(num_steps=4, start='noise', seed=0),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3),
)
max_iters = 20
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
train_dataloader = dict(batch_size=2)
