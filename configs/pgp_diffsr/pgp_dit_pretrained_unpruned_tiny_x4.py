# Stage 1 (the SR parent) of pgp_dit_pretrained_x4.py on a tiny DiT folder
# (tools/misc/make_tiny_pretrained.py writes work_dirs/tiny_pretrained/dit).
_base_ = ['./pgp_sd21unet_unpruned_tiny_x4.py']
model = dict(
    codec=dict(pretrained='work_dirs/tiny_pretrained/dit'),
    backbone=dict(_delete_=True, type='DiffusersTransformerDenoiser',
                  pretrained='work_dirs/tiny_pretrained/dit', subfolder='transformer',
                  model_class='DiTTransformer2DModel', conditioning='concat'),
    scheduler=dict(beta_schedule='linear', beta_start=0.0001, beta_end=0.02))
