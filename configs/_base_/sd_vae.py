# Architecture of the Stable Diffusion (1.x/2.x) VAE, f=8, 4 latent channels.
sd_vae_config = dict(
    in_channels=3, out_channels=3, latent_channels=4, sample_size=512,
    down_block_types=['DownEncoderBlock2D'] * 4, up_block_types=['UpDecoderBlock2D'] * 4,
    block_out_channels=[128, 256, 512, 512], layers_per_block=2, norm_num_groups=32,
    scaling_factor=0.18215)
# Local diffusers folder of the pretrained VAE (never downloaded at run time), e.g. a copy
# of stabilityai/sd-vae-ft-ema. Set with --cfg-options model.codec.pretrained=PATH.
sd_vae_path = 'pretrained/sd-vae-ft-ema'
