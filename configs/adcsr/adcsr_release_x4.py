# AdcSR's released model (Chen et al., CVPR 2025; Guaishou74851/AdcSR) as its test.py runs
# it: LR in [-1, 1] -> PixelUnshuffle(2) -> the 75%-width SD2.1 UNet (no time, no text;
# GroupNorm groups per width as the reference's halve_channels picks them) -> its trained
# copy of the half decoder's mid block -> the half decoder (norm_num_groups=32) -> AdaIN
# against the LR's own statistics. Made from the three released files by
#   python tools/model_converters/adcsr_to_pgpsr.py --sd21 pretrained/stable-diffusion-2-1-base \
#       --osediff osediff.pkl --decoder halfDecoder.ckpt --student net_params_200.pkl \
#       --out pretrained/adcsr_release
# then, with no checkpoint argument (load_from below holds every weight):
#   python tools/infer.py configs/adcsr/adcsr_release_x4.py --input LR/ --output SR/
#   python tools/test.py configs/adcsr/adcsr_release_x4.py --gt HR/ --lq LR/
# The teacher (OSEDiff, from the same release) is built too: the student's architecture
# is sliced from it. Tiling is off as in the reference (its LR sides must be multiples of
# 16 there; pgpsr pads); set model.test_cfg.tile for photos too large for memory.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/paired_folders_x4.py']
release = 'pretrained/adcsr_release'
model = dict(
    type='AdcSR',
    stage=None,  # inference only: no discriminator, no losses
    teacher=dict(
        type='PGPDiffSR', scale=4,
        codec=dict(type='AutoencoderKLCodec', pretrained=f'{release}/osediff', subfolder='vae',
                   tiling=False),
        backbone=dict(type='DiffusersUNetDenoiser', pretrained=f'{release}/osediff',
                      subfolder='unet', conditioning='input', prompt_embeds=None),
        scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                       beta_schedule='scaled_linear', beta_start=0.00085, beta_end=0.012,
                       prediction_type='epsilon'),
        train_cfg=dict(one_step=True, one_step_timestep=999),
        test_cfg=dict(one_step=True, one_step_timestep=999),
        data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3)),
    unet_widths=dict(block_out_channels=0.75, norm_num_groups=0.75),
    unet_norm_groups='per_width',
    decoder_ratio=0.5,
    decoder_norm_groups=32,
    decoder_ckpt='from_checkpoint',
    feature_point='mid_block',  # the student ends in its trained copy of the mid block
    test_cfg=dict(tile=None, color_fix='adain_lr', clamp_raw=False),
    data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))
load_from = f'{release}/adcsr_student.pth'
test_cfg = dict(type='mmengine.TestLoop')
