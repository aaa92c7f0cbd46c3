# PGP-DiffSR on a pretrained SDXL-base-1.0 UNet (2.6B) and its VAE, stage 2 (the recipe
# of pgp_sd21unet_x4.py) from the SR parent of pgp_sdxlunet_unpruned_x4.py (stage 1):
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sdxlunet_unpruned_x4.py 8   # stage 1
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sdxlunet_x4.py 8            # stage 2
# Put the folder of stabilityai/stable-diffusion-xl-base-1.0 at
# pretrained/stable-diffusion-xl-base-1.0 (unet/, vae/; text_encoder/ and text_encoder_2/
# only for tools/misc/encode_prompt.py). SDXL also reads the pooled text embedding and its
# size conditioning (time_ids) from the prompt file; without one, the null prompt is zeros
# (as SDXL's pipeline, force_zeros_for_empty_prompt in model_index.json; false there: both
# encoders applied to '') and (1024, 1024, 0, 0, 1024, 1024). Memory: docs/pretrained_backbones.md "Scaling past one GPU's memory".
_base_ = ['./pgp_sd21unet_x4.py']
parent_config = 'configs/pgp_diffsr/pgp_sdxlunet_unpruned_x4.py'
load_from = 'work_dirs/pgp_sdxlunet_unpruned_x4/iter_50000.pth'
model = dict(
    # the VAE's config carries SDXL's latent scaling factor (0.13025)
    codec=dict(pretrained='pretrained/stable-diffusion-xl-base-1.0'),
    backbone=dict(pretrained='pretrained/stable-diffusion-xl-base-1.0'))
