# Ablation: one-shot pruning (both stages before fine-tuning) instead of progressive.
_base_ = ['./pgp_dit_s1_demo-pgp_x4.py']
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=2,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], keep=1),
                 dict(at=0, parts=['decoder'], num_blocks=1)],
         distill=dict(output=1.0, feature=0.5), measure_lr_size=(64, 64)),
]
