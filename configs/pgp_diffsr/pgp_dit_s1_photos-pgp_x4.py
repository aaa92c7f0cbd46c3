# The unified PGP-DiffSR recipe on the real-photo parent (pgp_dit_s1_photos_x4.py, set as
# load_from by tools/train_pgp_photos.py): coarse stage, encoder and bottleneck down to one
# block each; two fine stages (iterations 300 and 600), the most redundant decoder block
# each; the phase-exchange adapter after every decoder position; distillation from the
# frozen parent. Blocks are scored on
# a fixed slice of the training data (ProgressivePruneHook's default).
_base_ = ['./pgp_dit_s1_photos_x4.py']
model = dict(neck=dict(type='PhaseExchangeAdapter', channels=96, cond_channels=12,
                       insert='decoder_blocks', exchange='phase', blend=True))
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=2,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], keep=1),
                 dict(at=300, parts=['decoder'], num_blocks=1),
                 dict(at=600, parts=['decoder'], num_blocks=1)],
         distill=dict(output=1.0, feature=0.5), measure_lr_size=(64, 64)),
]
max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=20, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
