# Stage 1 of pgp_sd21unet_unpruned_x4.py (the SR parent) on a tiny folder with the same
# diffusers layout (python tools/misc/make_tiny_pretrained.py writes
# work_dirs/tiny_pretrained/sd21) and the embedded photos: CPU, seconds. Stage 2:
# pgp_sd21unet_tiny_x4.py, from this run's iter_4.pth.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/embedded_synthlr_x4.py',
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
custom_hooks = [dict(type='EMAHook', momentum=0.5, priority=49)]
