# Ablation: the same pruning schedule and budget without the phase-exchange adapter.
_base_ = ['./pgp_dit_s1_demo-pgp_x4.py']
model = dict(neck=None)
