# The tiny DiT with PGP-DiffSR's progressive schedule (CPU smoke run and tests): a coarse
# stage keeps one encoder and one bottleneck block, a fine stage removes the most
# redundant decoder block, with distillation from the unpruned model in between.
_base_ = ['./pgp_dit_tiny_x4.py']
model = dict(backbone=dict(depth=(3, 2, 3)))
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=1, calib_steps=4,
         stages=[dict(at=4, parts=['encoder', 'bottleneck'], keep=1),
                 dict(at=8, parts=['decoder'], num_blocks=1)],
         distill=dict(output=1.0, feature=0.5), measure_lr_size=(32, 32)),
]
max_iters = 12
train_cfg = dict(max_iters=max_iters, val_interval=12)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=4))
