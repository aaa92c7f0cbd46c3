# Real-size x4 training data: a GT-only photo folder (e.g. DF2K sub-images made by
# tools/dataset_converters/extract_subimages.py), 512 px GT crops, pairs synthesised on the
# fly by the Real-ESRGAN degradation. Validation: paired GT/LQ folders (e.g. RealSR)
# matched by file name. For AdcSR's milder ranges use ../degradations/adcsr_x4.py.
_base_ = ['../degradations/realesrgan_x4.py']
scale = 4
gt_crop = 512
train_pipeline = [
    dict(type='LoadSRImage', key='gt'),
    dict(type='RandomCropGT', crop_size=gt_crop),
    dict(type='RandomFlipRotate', keys=['gt']),
    dict(type='DegradationPipeline', steps={{_base_.degradation}}),
    dict(type='PackInputs'),
]
val_pipeline = [
    dict(type='LoadSRImage', key='gt'),
    dict(type='LoadSRImage', key='img'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='SeededInfiniteSampler', shuffle=True),
    dataset=dict(type='SRImageFolderDataset', data_root='data/DF2K',
                 gt_folder='multiscale_sub', pipeline=train_pipeline, seed=0),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='SRImageFolderDataset', data_root='data/RealSR/Test/4',
                 gt_folder='HR', lq_folder='LR', pipeline=val_pipeline),
)
test_dataloader = val_dataloader
val_evaluator = [dict(type='PSNRY', crop_border=scale), dict(type='SSIMY', crop_border=scale)]
test_evaluator = val_evaluator
