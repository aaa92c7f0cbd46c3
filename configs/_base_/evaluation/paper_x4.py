# The papers' nine metrics (PGP-DiffSR, AdcSR and OSEDiff score with AdcSR's evaluate.py /
# OSEDiff's test_metrics.py: pyiqa 0.1.x defaults, whole images, FID of the SR folder
# against the HR folder). Weights from weights/torch_hub or $PGPSR_PYIQA_WEIGHTS
# (tools/test.py --metric-weights DIR). `tools/test.py CONFIG CKPT --metrics paper` puts
# these into any config; the test-set configs beside ../datasets/ use them.
paper_metrics = [
    dict(type='PSNRY'),  # pyiqa psnr, test_y_channel, no border crop
    dict(type='SSIMY', round_y=True),  # pyiqa ssim: Y rounded to integers first
    dict(type='PyiqaLPIPS'),
    dict(type='PyiqaDISTS'),
    dict(type='PyiqaFID'),
    dict(type='PyiqaNIQE'),
    dict(type='MUSIQ'),
    dict(type='MANIQA'),
    dict(type='CLIPIQA'),
]
# without GT (an LR-only set such as RealLQ250): the no-reference four
paper_no_reference_metrics = [
    dict(type='PyiqaNIQE'),
    dict(type='MUSIQ'),
    dict(type='MANIQA'),
    dict(type='CLIPIQA'),
]
