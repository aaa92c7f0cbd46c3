# The real-photo parent (pgp_dit_s1_photos_x4.py) trained on a mix: 90% MATLAB-bicubic
# pairs, 10% Real-ESRGAN second-order pairs with AdcSR's ranges. Measured (README
# "Results", 6000 iterations, one run): 28.11 dB PSNR-Y on the held-out photos' bicubic LR
# (bicubic-only parent 28.12) and 23.82 dB on their Real-ESRGAN LR (23.76), NIQE 8.46 /
# 10.24. Not yet the parent of the shipped pruned models.
_base_ = ['./pgp_dit_s1_photos_x4.py']
train_pipeline = [
    dict(type='LoadSRImage', key='gt', cache=True),
    dict(type='RandomCropGT', crop_size={{_base_.gt_crop}}),
    dict(type='RandomFlipRotate', keys=['gt']),
    dict(type='RandomChoice', prob=[0.9, 0.1], transforms=[
        [dict(type='BicubicDegradation', scale={{_base_.scale}})],
        [dict(type='DegradationPipeline', steps={{_base_.degradation}})]]),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
