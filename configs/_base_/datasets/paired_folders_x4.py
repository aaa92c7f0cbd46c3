# Evaluation on given pairs: a GT folder and an LR folder matched by file stem (RealSR,
# DRealSR, DIV2K-Val as released: `HR/` + `LR/`, or your own phone pairs). The LR is read
# as given, never remade from GT. tools/test.py CONFIG CKPT --gt DIR --lq DIR puts this
# test set into any model config (and with --lq alone, the LR-only variant below with the
# no-reference metrics). GT up to scale-1 px larger than 4x LR is mod-cropped; other
# size mismatches stop with both file names.
scale = 4
paired_test_pipeline = [
    dict(type='LoadSRImage', key='gt'),
    dict(type='LoadSRImage', key='img'),
    dict(type='CheckPairScale', scale=scale),
    dict(type='PackInputs'),
]
lq_only_test_pipeline = [
    dict(type='LoadSRImage', key='img'),
    dict(type='PackInputs'),
]
test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='SRImageFolderDataset', data_root='data/paired', gt_folder='HR',
                 lq_folder='LR', pipeline=paired_test_pipeline),
)
test_evaluator = [dict(type='PSNRY', crop_border=scale), dict(type='SSIMY', crop_border=scale)]
lq_only_test_evaluator = [dict(type='NIQEY')]
