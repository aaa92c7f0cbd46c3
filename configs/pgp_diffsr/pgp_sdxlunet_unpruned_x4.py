# PGP-DiffSR on a pretrained SDXL-base-1.0 UNet (2.6B), stage 1: the SR parent, as
# pgp_sd21unet_unpruned_x4.py (same conditioning, schedule, EMA and budget).
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sdxlunet_unpruned_x4.py 8
# then stage 2: configs/pgp_diffsr/pgp_sdxlunet_x4.py. Files:
# pretrained/stable-diffusion-xl-base-1.0/{unet,vae} and the DF2K sub-images. Memory:
# docs/pretrained_backbones.md "Scaling past one GPU's memory" (DDP needs about 43 GiB of model states a GPU).
_base_ = ['./pgp_sd21unet_unpruned_x4.py']
model = dict(
    # the VAE's config carries SDXL's latent scaling factor (0.13025)
    codec=dict(pretrained='pretrained/stable-diffusion-xl-base-1.0'),
    backbone=dict(pretrained='pretrained/stable-diffusion-xl-base-1.0'))
