# Ablation: the adapter exchanges amplitude (LR amplitude, feature phase) instead of phase.
_base_ = ['./pgp_dit_s1_demo-pgp_x4.py']
model = dict(neck=dict(exchange='amplitude'))
