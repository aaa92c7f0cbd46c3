# synthlr: validation and test LR are remade from GT by this file's degradation (the log says so
# too): numbers on it are not numbers on a given paired set (paired_folders_x4.py).
# The embedded photo set (scikit-image's CC0 photos), written to data/embedded by the tools.
# GT-only training (pairs synthesised on the fly); validation on the held-out photos.
scale = 4
gt_crop = 64
data_root = 'data/embedded'

train_pipeline = [
    dict(type='LoadSRImage', key='gt', cache=True),  # 8 photos: keep them decoded
    dict(type='RandomCropGT', crop_size=gt_crop),
    dict(type='RandomFlipRotate', keys=['gt']),
    dict(type='BicubicDegradation', scale=scale),
    dict(type='PackInputs'),
]
val_pipeline = [
    dict(type='LoadSRImage', key='gt'),
    dict(type='RandomCropGT', crop_size=128),
    dict(type='BicubicDegradation', scale=scale),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='SeededInfiniteSampler', shuffle=True),
    dataset=dict(type='SRImageFolderDataset', data_root=data_root, gt_folder='train',
                 pipeline=train_pipeline, seed=0),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='SRImageFolderDataset', data_root=data_root, gt_folder='val',
                 pipeline=val_pipeline, seed=1234),
)
test_dataloader = val_dataloader

# A plain list builds mmengine's Evaluator (mmagic's needs prepare_metrics first).
val_evaluator = [
    dict(type='PSNRY', crop_border=scale),
    dict(type='SSIMY', crop_border=scale),
]
test_evaluator = val_evaluator
