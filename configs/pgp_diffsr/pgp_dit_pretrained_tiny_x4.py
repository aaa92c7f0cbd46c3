# Stage 2 of pgp_dit_pretrained_x4.py on the tiny DiT folder, from the tiny parent of
# pgp_dit_pretrained_unpruned_tiny_x4.py; the recipe of pgp_sd21unet_tiny_x4.py.
_base_ = ['./pgp_sd21unet_tiny_x4.py']
parent_config = 'configs/pgp_diffsr/pgp_dit_pretrained_unpruned_tiny_x4.py'
load_from = 'work_dirs/pgp_dit_pretrained_unpruned_tiny_x4/iter_4.pth'
model = dict(
    codec=dict(pretrained='work_dirs/tiny_pretrained/dit'),
    backbone=dict(_delete_=True, type='DiffusersTransformerDenoiser',
                  pretrained='work_dirs/tiny_pretrained/dit', subfolder='transformer',
                  model_class='DiTTransformer2DModel', conditioning='concat'),
    scheduler=dict(beta_schedule='linear', beta_start=0.0001, beta_end=0.02))
# the tiny recipe's hook without exportable=True: pgpsr has no diffusers export for a DiT
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=1, calib_steps=2,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], ratio=0.15),
                 dict(at=2, parts=['decoder'], num_blocks=1)],
         distill=dict(output=1.0, feature=0.5, dtype='bfloat16'), measure_lr_size=(16, 16)),
]
