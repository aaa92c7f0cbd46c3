# PGP-DiffSR's model on a pretrained Stable Diffusion 2.1-base UNet and VAE, read from a
# local diffusers pipeline folder (never downloaded): put the folder of
# stabilityai/stable-diffusion-2-1-base at pretrained/stable-diffusion-2-1-base (it needs
# unet/ and vae/; text_encoder/ + tokenizer/ for the null prompt). The LR latent is
# concatenated to x_t (conv_in widened by 4 zero-initialised channels, so the pretrained
# UNet's function is unchanged at the start); cross-attention sees the null prompt (CLIP's
# encoding of '', made at build time from text_encoder/; zeros, logged, without it) unless
# `prompt_embeds` names a file made by tools/misc/encode_prompt.py. No neck: the SR
# parent has none; the PGP stage adds the phase-exchange adapter (pgp_sd21unet_x4.py).
model = dict(
    type='PGPDiffSR',
    scale=4,
    codec=dict(type='AutoencoderKLCodec', pretrained='pretrained/stable-diffusion-2-1-base',
               subfolder='vae', tiling=False),
    backbone=dict(type='DiffusersUNetDenoiser',
                  pretrained='pretrained/stable-diffusion-2-1-base', subfolder='unet',
                  conditioning='concat', prompt_embeds=None, grad_checkpointing=True),
    # SD's training schedule (scaled_linear betas); SD2.1-base predicts epsilon
    scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                   beta_schedule='scaled_linear', beta_start=0.00085, beta_end=0.012,
                   prediction_type='epsilon'),
    sample_scheduler=dict(type='DDIMScheduler'),
    train_cfg=dict(seed=0),
    test_cfg=dict(num_steps=20, start='noise', seed=0, tile=128, tile_overlap=16),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3),
)
