# The unified PGP-DiffSR recipe at demo size: start from the trained parent (load_from,
# set by tools/demo.py), prune progressively (coarse: encoder and bottleneck down to one
# block each; fine: the most redundant decoder block), with the phase-exchange adapter
# after every decoder position and distillation from the frozen parent.
# The parent is one-step, so blocks are scored input-vs-output (no adjacent steps).
_base_ = ['./pgp_dit_s1_demo_x4.py']
model = dict(neck=dict(type='PhaseExchangeAdapter', channels=96, cond_channels=12,
                       insert='decoder_blocks', exchange='phase', blend=True))
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=2,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], keep=1),
                 dict(at=150, parts=['decoder'], num_blocks=1)],
         distill=dict(output=1.0, feature=0.5), measure_lr_size=(64, 64)),
]
max_iters = 400
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=20, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
