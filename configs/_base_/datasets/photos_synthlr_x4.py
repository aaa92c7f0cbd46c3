# synthlr: validation and test LR are remade from GT by this file's degradation (the log says so
# too): numbers on it are not numbers on a given paired set (paired_folders_x4.py).
# The real-photo set that `make data` builds (tools/dataset_converters/debian_photos.py):
# 336 GT crops of 14 Lomiri wallpaper photos for training; 21 opencv-doc photos held out.
# Training pairs: MATLAB bicubic (the BI protocol) or Real-ESRGAN second-order degradation
# with (approximately) AdcSR's milder ranges (the real-world kind), chosen per sample: 10% Real-ESRGAN
# (`prob[1]`), what every shipped photo checkpoint was trained with. At the parent's full
# length this keeps bicubic-LR quality and improves Real-ESRGAN-LR quality (README
# "Results"); short probes (1500 iterations) had suggested a loss that did not last.
_base_ = ['../degradations/adcsr-approx_x4.py']
scale = 4
gt_crop = 64
data_root = 'data/photos'
train_pipeline = [
    dict(type='LoadSRImage', key='gt', cache=True),
    dict(type='RandomCropGT', crop_size=gt_crop),
    dict(type='RandomFlipRotate', keys=['gt']),
    dict(type='RandomChoice', prob=[0.9, 0.1], transforms=[
        [dict(type='BicubicDegradation', scale=scale)],
        [dict(type='DegradationPipeline', steps={{_base_.degradation}})]]),
    dict(type='PackInputs'),
]
val_pipeline = [
    dict(type='LoadSRImage', key='gt'),
    dict(type='RandomCropGT', crop_size=128),
    dict(type='BicubicDegradation', scale=scale),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,  # the pipeline is cheap next to the model step
    persistent_workers=True,
    sampler=dict(type='SeededInfiniteSampler', shuffle=True),
    dataset=dict(type='SRImageFolderDataset', data_root=data_root, gt_folder='train',
                 pipeline=train_pipeline, seed=0),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='SRImageFolderDataset', data_root=data_root, gt_folder='heldout',
                 pipeline=val_pipeline, seed=1234),
)
test_dataloader = val_dataloader
val_evaluator = [dict(type='PSNRY', crop_border=scale), dict(type='SSIMY', crop_border=scale)]
test_evaluator = val_evaluator
