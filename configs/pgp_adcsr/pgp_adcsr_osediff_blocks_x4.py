# PGP∘AdcSR on OSEDiff, the block stage (optional: pgp_adcsr_osediff_stage2_x4.py names its
# blocks itself): PGP-DiffSR's block removal on the converted OSEDiff teacher, distilled
# from it (bf16 teacher), removing only what a diffusers config can express. The mid block
# at the start, then three encoder units with the decoder units that read their skips,
# scored by their redundancy on a fixed slice of the training data:
#   tools/dist_train.sh configs/pgp_adcsr/pgp_adcsr_osediff_blocks_x4.py 8
# The student of stage 2 is then sliced from this run's UNet:
#   tools/dist_train.sh configs/pgp_adcsr/pgp_adcsr_osediff_stage2_x4.py 8 --cfg-options \
#       model.removed_blocks=None \
#       model.block_source=work_dirs/pgp_adcsr_osediff_blocks_x4/iter_10000.pth \
#       model.decoder_ckpt=work_dirs/adcsr_osediff_stage1_x4/iter_50000.pth
# Which units the scores pick decides the student's size (the stage-2 log prints it).
_base_ = ['../adcsr/adcsr_osediff_stage1_x4.py']
# the model this stage prunes is the teacher itself (each key the base's teacher's), on
# the base's training pairs (degraded on the fly)
model = dict(_delete_=True, type='PGPDiffSR', scale={{_base_.model.teacher.scale}},
             condition_upscale={{_base_.model.teacher.condition_upscale}},
             codec={{_base_.model.teacher.codec}}, backbone={{_base_.model.teacher.backbone}},
             scheduler={{_base_.model.teacher.scheduler}},
             train_cfg={{_base_.model.teacher.train_cfg}},
             test_cfg={{_base_.model.teacher.test_cfg}},
             data_preprocessor={{_base_.model.data_preprocessor}})
max_iters = 10000
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=8,
         stages=[dict(at=0, parts=['bottleneck'], num_blocks=2),
                 dict(at=2000, parts=['encoder'], num_blocks=6)],
         distill=dict(output=1.0, feature=0.5, dtype='bfloat16'),
         measure_lr_size=(128, 128), exportable=True),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(_delete_=True, type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-5),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = [dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50)]
model_wrapper_cfg = None
default_hooks = dict(checkpoint=dict(interval=2000))
