# PGP∘AdcSR on the CPU demo, the other order: slicing first, then block removal during
# AdcSR's stage 2. The student is AdcSR's own (75% of the teacher's channels, full depth)
# and ProgressivePruneHook removes the same number of blocks from it as the block stage
# does from the teacher (pgp_adcsr_demo_blocks_x4.py), scored by the same redundancy
# measure on the same slice of the training data, but on the student; stage 2's
# distillation from the unpruned teacher is the fine-tuning. Step 1 is not needed.
#   python tools/train_pgp_adcsr_demo.py --order slice-first
_base_ = ['./pgp_adcsr_demo_stage2_x4.py']
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=2,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], num_blocks=3),
                 dict(at=150, parts=['decoder'], num_blocks=1)],
         measure_lr_size=(64, 64)),
]
