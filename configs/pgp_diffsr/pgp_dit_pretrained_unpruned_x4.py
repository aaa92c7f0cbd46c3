# PGP-DiffSR on a pretrained DiT-XL/2-256 (749.8M), stage 1: the SR parent, as
# pgp_sd21unet_unpruned_x4.py (LR latent concatenated, EMA, the same budget; the DiT is
# class-conditional and SR uses its null class).
#   tools/dist_train.sh configs/pgp_diffsr/pgp_dit_pretrained_unpruned_x4.py 8
# then stage 2: configs/pgp_diffsr/pgp_dit_pretrained_x4.py. Files:
# pretrained/DiT-XL-2-256/{transformer,vae} and the DF2K sub-images.
_base_ = ['./pgp_sd21unet_unpruned_x4.py']
model = dict(
    codec=dict(pretrained='pretrained/DiT-XL-2-256'),
    backbone=dict(_delete_=True, type='DiffusersTransformerDenoiser',
                  pretrained='pretrained/DiT-XL-2-256', subfolder='transformer',
                  model_class='DiTTransformer2DModel', conditioning='concat'),
    # DiT's own training schedule: linear betas, epsilon (its learned-sigma half unused)
    scheduler=dict(beta_schedule='linear', beta_start=0.0001, beta_end=0.02),
    test_cfg=dict(tile=64, tile_overlap=8))  # trained at 32x32 latents: tile near that
