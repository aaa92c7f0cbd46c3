# pgp_sd21unet_x4.py's model and recipe on a tiny folder with the same diffusers layout
# (python tools/misc/make_tiny_pretrained.py writes work_dirs/tiny_pretrained/sd21) and the
# embedded photos: the pretrained-backbone path end to end on a CPU in seconds.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/embedded_x4.py',
    '../_base_/schedules/iter_adamw.py',
    '../_base_/models/pgp_sd21unet.py',
]
model = dict(
    codec=dict(pretrained='work_dirs/tiny_pretrained/sd21'),
    backbone=dict(pretrained='work_dirs/tiny_pretrained/sd21', grad_checkpointing=False),
    test_cfg=dict(num_steps=2, tile=None))
max_iters = 4
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
train_dataloader = dict(batch_size=2)
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=1, calib_steps=2,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], ratio=0.15),
                 dict(at=2, parts=['decoder'], num_blocks=2)],  # a unit pair, or 2 layers
         distill=dict(output=1.0, feature=0.5), measure_lr_size=(16, 16),
         exportable=True),  # as the recipe: the pruned model exports to diffusers
]
