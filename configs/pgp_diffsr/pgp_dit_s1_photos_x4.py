# The demo parent (../_base_/models/pgp_dit_s1.py) trained on the real-photo set that
# `make data` builds (pairs: see ../_base_/datasets/photos_synthlr_x4.py). Longer than the
# embedded-photo parent because the data is larger and harder.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/photos_synthlr_x4.py',
    '../_base_/schedules/iter_adamw.py',
    '../_base_/models/pgp_dit_s1.py',
]
max_iters = 6000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(logger=dict(interval=100), checkpoint=dict(interval=500))
