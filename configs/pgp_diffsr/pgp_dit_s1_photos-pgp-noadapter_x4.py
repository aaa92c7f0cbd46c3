# Ablation: the same pruning schedule and budget without the phase-exchange adapter.
_base_ = ['./pgp_dit_s1_photos-pgp_x4.py']
model = dict(neck=None)
