# The demo's unpruned parent: a one-step (PGP-DiffSR-S1 style) residual DiT, 8 blocks of
# width 96, trained on the embedded photos with bicubic pairs. It learns the residual over
# the bicubic upsampling, so it starts at bicubic quality; inference tiles at the training
# size (16 px LR) because a DiT generalises poorly to much larger token grids.
_base_ = ['./pgp_dit_tiny_x4.py']
model = dict(
    residual=True,
    backbone=dict(hidden_size=96, num_heads=4, depth=(3, 2, 3)),
    scheduler=dict(prediction_type='sample'),
    train_cfg=dict(one_step=True, one_step_timestep=999),
    test_cfg=dict(one_step=True, one_step_timestep=999, tile=16, tile_overlap=4),
    pixel_loss_weight=1.0)
max_iters = 800
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=max_iters))
train_dataloader = dict(batch_size=8)
