# OSEDiff-size one-step teacher: an SD2.1-size UNet denoiser (320/640/1280/1280, no text
# cross-attention, LR latent concatenated) on the SD VAE, one step at t=999.
# Pretrained weights are read from local paths only:
#   --cfg-options model.codec.pretrained=/path/to/sd-vae  model.backbone_pretrained=UNET.pth
_base_ = ['./adcsr_teacher_tiny_x4.py', '../_base_/sd_vae.py']
model = dict(
    codec=dict(_delete_=True, type='AutoencoderKLCodec', config={{_base_.sd_vae_config}},
               tiling=False),
    backbone=dict(_delete_=True, type='UNetDenoiser', in_channels=4,
                  block_channels=(320, 640, 1280, 1280), units_per_level=2,
                  attention_levels=(0, 1, 2), head_dim=64, norm_groups=32,
                  grad_checkpointing=True),
    test_cfg=dict(tile=128, tile_overlap=16))
train_dataloader = dict(batch_size=4)
