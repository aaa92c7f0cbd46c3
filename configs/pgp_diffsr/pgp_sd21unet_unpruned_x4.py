# PGP-DiffSR on a pretrained SD2.1-base UNet (865M), stage 1: the SR parent.
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sd21unet_unpruned_x4.py 8
# then stage 2, progressive pruning from this run's last checkpoint:
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sd21unet_x4.py 8
# The paper prunes a trained diffusion SR model, so the text-to-image UNet is first
# fine-tuned into an x4 SR denoiser: the LR latent concatenated to x_t (conv_in widened by
# 4 zero-initialised channels), the null prompt or a prompt file for cross-attention,
# SD's own epsilon schedule, EMA of the weights (its weights are what the checkpoint's
# state_dict holds, so stage 2 starts from them). No adapter: stage 2 adds it.
# Budget: 50k iterations of batch 4 per GPU at lr 5e-5 (8 GPUs: 1.6M crops). The paper
# does not publish its parent's budget; this is pgpsr's choice, untuned.
# Files: pretrained/stable-diffusion-2-1-base/{unet,vae} (configs/pgp_diffsr/README.md)
# and the DF2K sub-images (configs/_base_/datasets/gt_folder_x4.py).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/gt_folder_x4.py',
    '../_base_/schedules/iter_adamw.py',
    '../_base_/models/pgp_sd21unet.py',
]
max_iters = 50000
train_cfg = dict(max_iters=max_iters, val_interval=5000)
optim_wrapper = dict(optimizer=dict(lr=5e-5))
param_scheduler = [dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=1000)]
default_hooks = dict(checkpoint=dict(interval=5000))
custom_hooks = [dict(type='EMAHook', momentum=1e-4, priority=49)]
