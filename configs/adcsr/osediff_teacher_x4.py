# AdcSR's real teacher, OSEDiff (Wu et al., 2024): SD2.1-base with OSEDiff's LoRA merged by
#   python tools/model_converters/osediff_to_pgpsr.py --sd21 pretrained/stable-diffusion-2-1-base \
#       --release pretrained/osediff.pkl --out pretrained/osediff
# One step at t=999: the UNet reads the VAE latent of the bicubic-upsampled LR as its x_t
# ('input' conditioning, no extra channels), predicts epsilon, and
# x0 = (z - sqrt(1 - abar_999) * eps) / sqrt(abar_999) is decoded (what OSEDiff's one-step
# DDPM scheduler computes). Prompt: the null prompt, SD2.1's CLIP encoding of '' (what
# OSEDiff was trained with), made at build time when pretrained/osediff has text_encoder/
# and tokenizer/ (the converter writes only unet/ and vae/: copy those two from SD2.1-base;
# without them zeros, logged), or a file from tools/misc/encode_prompt.py (OSEDiff extracts
# one per image with DAPE; not included).
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/photos_synthlr_x4.py']
# As test_osediff.py runs it: Pillow's bicubic on the 8-bit LR, a posterior *sample* of
# the VAE (latent_dist.sample(), global RNG; sample_posterior=False takes the mode) and
# AdaIN colour correction (its --align_method default). What remains different is in the
# README's deviation table.
model = dict(
    type='PGPDiffSR',
    scale=4,
    condition_upscale='pil',
    codec=dict(type='AutoencoderKLCodec', pretrained='pretrained/osediff', subfolder='vae',
               tiling=False, sample_posterior=True),
    backbone=dict(type='DiffusersUNetDenoiser', pretrained='pretrained/osediff',
                  subfolder='unet', conditioning='input', prompt_embeds=None),
    scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                   beta_schedule='scaled_linear', beta_start=0.00085, beta_end=0.012,
                   prediction_type='epsilon'),
    train_cfg=dict(one_step=True, one_step_timestep=999),
    test_cfg=dict(one_step=True, one_step_timestep=999, tile=128, tile_overlap=16,
                  color_fix='adain'),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))
# Every weight is in the pretrained folder: tools/test.py and tools/infer.py need no
# checkpoint argument for this config.
weights_in_config = True
