# Shipped checkpoint checkpoints/pgp_dit_s1_pgp-noadapter_x4.pth: the adapter ablation of
# checkpoints/pgp_dit_s1_pgp_x4.pth: the same schedule, distillation, budget and seed
# from checkpoints/pgp_dit_s1_x4.pth, without the phase-exchange adapter. Reproduce:
# tools/train_pgp_photos.py (work_dirs/pgp_photos/pgp_dit_s1_photos-pgp-noadapter_x4_seed0.pth).
# The removed blocks are recorded in the checkpoint, so this config is the unpruned one.
_base_ = ['../configs/pgp_diffsr/pgp_dit_s1_photos-pgp-noadapter_x4.py']
custom_hooks = []  # training-only (pruning schedule); inference needs none
load_from = None
