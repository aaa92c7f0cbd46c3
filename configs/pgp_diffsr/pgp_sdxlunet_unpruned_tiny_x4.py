# Stage 1 (the SR parent) of pgp_sdxlunet_x4.py on a tiny SDXL-layout folder
# (tools/misc/make_tiny_pretrained.py writes work_dirs/tiny_pretrained/sdxl): transformer
# stacks of 2 and 3 layers, SDXL's added text-time conditioning, gradient checkpointing.
_base_ = ['./pgp_sd21unet_unpruned_tiny_x4.py']
model = dict(
    codec=dict(pretrained='work_dirs/tiny_pretrained/sdxl'),
    backbone=dict(pretrained='work_dirs/tiny_pretrained/sdxl', grad_checkpointing=True))
