# One-step (PGP-DiffSR-S1 style) tiny DiT: x0 predicted directly at a fixed timestep from
# the LR latent. Trains on the embedded photos on a CPU in a couple of minutes (make demo).
_base_ = ['./pgp_dit_tiny_x4.py']
model = dict(
    backbone=dict(hidden_size=96, num_heads=4, depth=(2, 2, 2)),
    scheduler=dict(prediction_type='sample'),
    train_cfg=dict(one_step=True, one_step_timestep=999),
    test_cfg=dict(one_step=True, one_step_timestep=999),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0))
max_iters = 600
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=300)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=300))
train_dataloader = dict(batch_size=8)
