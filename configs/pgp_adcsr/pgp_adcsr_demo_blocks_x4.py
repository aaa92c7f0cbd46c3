# PGP∘AdcSR on the CPU demo, step 1 of 3: the block stage. PGP-DiffSR's progressive block
# removal on the shipped AdcSR teacher (checkpoints/adcsr_teacher_demo_x4), blocks scored by
# their redundancy (Phi, the 1 - cosine of a block's input and output) on a fixed slice of
# the training data, with distillation from the frozen unpruned teacher. The student of
# step 3 is sliced from this run's pruned backbone (AdcSR.block_source).
#   python tools/train_pgp_adcsr_demo.py    # all three steps
_base_ = ['../adcsr/adcsr_teacher_demo_x4.py']
max_iters = 400
model = dict(codec=dict(pretrained=None))  # the teacher checkpoint holds the VAE too
load_from = '{{ fileDirname }}/../../checkpoints/adcsr_teacher_demo_x4.pth'
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=2,
         # the depth budget: 3 encoder / bottleneck blocks at the start, 1 decoder block
         # after 150 iterations (num_blocks of each stage)
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], num_blocks=3),
                 dict(at=150, parts=['decoder'], num_blocks=1)],
         distill=dict(output=1.0, feature=0.5), measure_lr_size=(64, 64)),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters + 1)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=20, end=max_iters, eta_min=1e-5),
]
default_hooks = dict(checkpoint=dict(interval=200))
