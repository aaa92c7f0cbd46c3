# PGP-DiffSR on a pretrained SD2.1-base UNet (865M), stage 2: progressive pruning of the
# SR parent trained by pgp_sd21unet_unpruned_x4.py (stage 1), the unified recipe:
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sd21unet_unpruned_x4.py 8   # stage 1
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sd21unet_x4.py 8            # stage 2
# Starts from the parent's last checkpoint (load_from), calibrates on the SR training
# data, distils from the frozen parent and trains the phase-exchange adapter (after every
# decoder unit, sized from the UNet) jointly.
# Coarse stage at the start: the encoder and bottleneck blocks that change least between
# adjacent sampling steps; fine stage: decoder blocks whose input-vs-output cosine
# dissimilarity (Phi) is below 0.2 (the paper's threshold) and whose KL (Psi) is below 0.2
# (the paper gives no Psi value: ours, untuned). The paper's budget for a pretrained
# UNet is unpublished; pgpsr's choice removes 15% of all blocks (units and transformer
# layers alike) from the encoder and bottleneck in the coarse stage, a config value.
# exportable=True: every stage removes only what a diffusers UNet2DConditionModel config
# can express (an encoder unit with a decoder unit reading its skip, the mid block's
# attention+ResNet, SDXL's mid transformer layers together with the last down block's),
# so the pruned model always exports with tools/model_converters/pgpsr_to_diffusers.py
# (the adapter beside it, in adapter/). False: any droppable block, pgpsr checkpoint only.
_base_ = ['./pgp_sd21unet_unpruned_x4.py']
parent_config = 'configs/pgp_diffsr/pgp_sd21unet_unpruned_x4.py'
load_from = 'work_dirs/pgp_sd21unet_unpruned_x4/iter_50000.pth'
model = dict(neck=dict(type='PhaseExchangeAdapter', channels='auto', cond_channels=4,
                       insert='decoder_blocks', exchange='phase', blend=True))
max_iters = 40000
train_cfg = dict(max_iters=max_iters, val_interval=5000)
optim_wrapper = dict(optimizer=dict(lr=2e-5))
param_scheduler = [dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50)]
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=8, calib_steps=20,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], ratio=0.15),
                 dict(at=10000, parts=['decoder'],
                      threshold=dict(cosine=0.2, kl=0.2))],
         distill=dict(output=1.0, feature=0.5, dtype='bfloat16'), measure_lr_size=(128, 128),
         exportable=True),
    dict(type='EMAHook', momentum=1e-4, priority=49),
]
