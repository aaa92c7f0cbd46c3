# The tiny DiT trained on Real-ESRGAN pairs synthesised per image in the data workers
# (validation too, seeded per image, so every evaluation sees the same pairs). The
# batched alternative is pgp_dit_tiny_realesrgan-batched_x4.py.
_base_ = ['./pgp_dit_tiny_x4.py', '../_base_/degradations/realesrgan_x4.py']
train_pipeline = [
    dict(type='LoadSRImage', key='gt', cache=True),
    dict(type='RandomCropGT', crop_size=64),
    dict(type='RandomFlipRotate', keys=['gt']),
    dict(type='DegradationPipeline', steps={{_base_.degradation}}),
    dict(type='PackInputs'),
]
val_pipeline = [
    dict(type='LoadSRImage', key='gt'),
    dict(type='RandomCropGT', crop_size=128),
    dict(type='DegradationPipeline', steps={{_base_.degradation}}),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
