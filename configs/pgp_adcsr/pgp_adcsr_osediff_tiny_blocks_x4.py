# PGP∘AdcSR's block stage on an OSEDiff teacher, on the tiny SD2.1-layout folder
# (python tools/misc/make_tiny_pretrained.py) and the embedded photos: the OSEDiff path
# end to end on a CPU in seconds. pgp_adcsr_osediff_blocks_x4.py is this on the real folder.
_base_ = ['../adcsr/adcsr_osediff_tiny_stage1_x4.py']
# the model this stage prunes is the teacher itself (each key the base's teacher's)
model = dict(_delete_=True, type='PGPDiffSR', scale={{_base_.model.teacher.scale}},
             condition_upscale={{_base_.model.teacher.condition_upscale}},
             codec={{_base_.model.teacher.codec}}, backbone={{_base_.model.teacher.backbone}},
             scheduler={{_base_.model.teacher.scheduler}},
             train_cfg={{_base_.model.teacher.train_cfg}},
             test_cfg={{_base_.model.teacher.test_cfg}},
             data_preprocessor={{_base_.model.teacher.data_preprocessor}})
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=1,
         # the mid block at the start (its two units go together), then an encoder unit
         # with the decoder unit that reads its skip (exportable pairs)
         stages=[dict(at=0, parts=['bottleneck'], num_blocks=2),
                 dict(at=3, parts=['encoder'], num_blocks=2)],
         distill=dict(output=1.0, feature=0.5), measure_lr_size=(32, 32), exportable=True),
]
optim_wrapper = dict(_delete_=True, type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=1e-4))
model_wrapper_cfg = None
