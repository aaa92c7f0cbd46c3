# Stage 2 of pgp_sdxlunet_x4.py on the tiny SDXL-layout folder, from the tiny parent of
# pgp_sdxlunet_unpruned_tiny_x4.py; the recipe of pgp_sd21unet_tiny_x4.py.
_base_ = ['./pgp_sd21unet_tiny_x4.py']
parent_config = 'configs/pgp_diffsr/pgp_sdxlunet_unpruned_tiny_x4.py'
load_from = 'work_dirs/pgp_sdxlunet_unpruned_tiny_x4/iter_4.pth'
model = dict(
    codec=dict(pretrained='work_dirs/tiny_pretrained/sdxl'),
    backbone=dict(pretrained='work_dirs/tiny_pretrained/sdxl', grad_checkpointing=True))
