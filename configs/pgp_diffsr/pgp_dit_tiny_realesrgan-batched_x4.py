# The tiny DiT trained on Real-ESRGAN pairs synthesised per batch in the data preprocessor
# (on the model's device): the data workers only crop and flip the GT.
_base_ = ['./pgp_dit_tiny_x4.py', '../_base_/degradations/realesrgan_x4.py']
model = dict(data_preprocessor=dict(_delete_=True, type='DegradingDataPreprocessor',
                                    degradation={{_base_.degradation}}, seed=0))
train_pipeline = [
    dict(type='LoadSRImage', key='gt', cache=True),
    dict(type='RandomCropGT', crop_size=64),
    dict(type='RandomFlipRotate', keys=['gt']),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
