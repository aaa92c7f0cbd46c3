# Shipped checkpoint checkpoints/pgp_dit_s1_pgp_x4.pth: checkpoints/pgp_dit_s1_x4.pth pruned
# by PGP-DiffSR on the real-photo set (encoder 3->1 and bottleneck 2->1 blocks at the start,
# the most redundant decoder block after 300 and again after 600 iterations, scored on a
# fixed slice of the training data; the phase-exchange adapter at one site, after the
# last decoder position, so one exchange per denoiser call, in a 32-channel bottleneck;
# distillation from the parent; 1000 iterations, seed 0, 90% MATLAB-bicubic / 10%
# Real-ESRGAN pairs, on this project's 2-core CPU; removed encoder.0, encoder.2,
# bottleneck.1, decoder.2, decoder.0).
# Reproduce: tools/train_pgp_photos.py
# (work_dirs/pgp_photos/pgp_dit_s1_photos-pgp-onesite_x4_seed0.pth is this file).
# The removed blocks are recorded in the checkpoint, so this config is the unpruned one.
_base_ = ['../configs/pgp_diffsr/pgp_dit_s1_photos-pgp-onesite_x4.py']
custom_hooks = []  # training-only (pruning schedule); inference needs none
load_from = None
