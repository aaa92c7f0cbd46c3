# AdcSR stage 1 on an OSEDiff teacher, on a tiny folder with SD2.1-base's diffusers layout
# (python tools/misc/make_tiny_pretrained.py writes work_dirs/tiny_pretrained/sd21; random
# weights standing in for a converted OSEDiff) and the embedded photos: the OSEDiff path of
# AdcSR end to end on a CPU in seconds. adcsr_osediff_stage1_x4.py is this model on the
# real folder with the real recipe.
_base_ = ['./adcsr_tiny_stage1_x4.py']
osediff = 'work_dirs/tiny_pretrained/sd21'
model = dict(
    teacher=dict(
        _delete_=True, type='PGPDiffSR', scale=4,
        # AdcSR's train.py: the teacher encodes F.interpolate(LR, 4, 'bicubic'), unclamped
        condition_upscale='torch',
        codec=dict(type='AutoencoderKLCodec', pretrained=osediff, subfolder='vae',
                   tiling=False),
        backbone=dict(type='DiffusersUNetDenoiser', pretrained=osediff, subfolder='unet',
                      conditioning='input', prompt_embeds=None),
        scheduler=dict(type='DDPMScheduler', num_train_timesteps=1000,
                       beta_schedule='scaled_linear', beta_start=0.00085, beta_end=0.012,
                       prediction_type='epsilon'),
        train_cfg=dict(one_step=True, one_step_timestep=999),
        test_cfg=dict(one_step=True, one_step_timestep=999),
        data_preprocessor=dict(type='DataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3)),
    unet_widths=dict(_delete_=True, block_out_channels=0.75, norm_num_groups=0.75),
    # train.py runs the teacher under fp16 autocast (its weights fp32); stage 2 reads it
    teacher_autocast='fp16')
max_iters = 4
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
