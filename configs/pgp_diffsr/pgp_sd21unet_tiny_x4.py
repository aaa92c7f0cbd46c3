# Stage 2 of pgp_sd21unet_x4.py (progressive pruning of the SR parent) on the tiny
# SD2.1-layout folder: load_from the tiny parent of pgp_sd21unet_unpruned_tiny_x4.py.
#   python tools/train.py configs/pgp_diffsr/pgp_sd21unet_unpruned_tiny_x4.py
#   python tools/train.py configs/pgp_diffsr/pgp_sd21unet_tiny_x4.py
_base_ = ['./pgp_sd21unet_unpruned_tiny_x4.py']
parent_config = 'configs/pgp_diffsr/pgp_sd21unet_unpruned_tiny_x4.py'
load_from = 'work_dirs/pgp_sd21unet_unpruned_tiny_x4/iter_4.pth'
model = dict(neck=dict(type='PhaseExchangeAdapter', channels='auto', cond_channels=4,
                       insert='decoder_blocks', exchange='phase', blend=True))
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=1, calib_steps=2,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], ratio=0.15),
                 dict(at=2, parts=['decoder'], num_blocks=2)],  # a unit pair, or 2 layers
         distill=dict(output=1.0, feature=0.5, dtype='bfloat16'), measure_lr_size=(16, 16),
         exportable=True),  # as the recipe: the pruned model exports to diffusers
]
