# PGP-DiffSR with an SD2.1-size UNet denoiser (320/640/1280/1280, attention at the first
# three levels, no text cross-attention; LR latent concatenated) on SD-VAE latents.
#   tools/dist_train.sh configs/pgp_diffsr/pgp_unet_sd21size_x4.py 8
_base_ = ['../pgp_dit_x4.py']
model = dict(
    backbone=dict(_delete_=True, type='UNetDenoiser', in_channels=4,
                  block_channels=(320, 640, 1280, 1280), units_per_level=2,
                  attention_levels=(0, 1, 2), head_dim=64, norm_groups=32,
                  grad_checkpointing=True))
