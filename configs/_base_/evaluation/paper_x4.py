# The papers' nine metrics (PGP-DiffSR, AdcSR and OSEDiff score with AdcSR's evaluate.py /
# OSEDiff's test_metrics.py: pyiqa 0.1.x defaults, whole images, FID of the SR folder
# against the HR folder). Weights from weights/torch_hub or $PGPSR_PYIQA_WEIGHTS
# (tools/test.py --metric-weights DIR). `tools/test.py CONFIG CKPT --metrics paper` puts
# these into any config; the test-set configs beside ../datasets/ use them.
# to_8bit='truncate': the SR scored as those scripts save it (ToPILImage truncates to 8
# bits, where pgpsr's writers round: about half the values one level lower).
paper_metrics = [
    dict(type='PSNRY', to_8bit='truncate'),  # pyiqa psnr, test_y_channel, no border crop
    dict(type='SSIMY', round_y=True, to_8bit='truncate'),  # pyiqa ssim: integral Y first
    dict(type='PyiqaLPIPS', to_8bit='truncate'),
    dict(type='PyiqaDISTS', to_8bit='truncate'),
    dict(type='PyiqaFID', to_8bit='truncate'),
    dict(type='PyiqaNIQE', to_8bit='truncate'),
    dict(type='MUSIQ', to_8bit='truncate'),
    dict(type='MANIQA', to_8bit='truncate'),
    dict(type='CLIPIQA', to_8bit='truncate'),
]
# without GT (an LR-only set such as RealLQ250): the no-reference four
paper_no_reference_metrics = [
    dict(type='PyiqaNIQE', to_8bit='truncate'),
    dict(type='MUSIQ', to_8bit='truncate'),
    dict(type='MANIQA', to_8bit='truncate'),
    dict(type='CLIPIQA', to_8bit='truncate'),
]
