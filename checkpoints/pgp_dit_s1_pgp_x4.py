# Shipped checkpoint checkpoints/pgp_dit_s1_pgp_x4.pth: checkpoints/pgp_dit_s1_x4.pth pruned
# by PGP-DiffSR (encoder 3->1 and bottleneck 2->1 blocks at the start, the most redundant
# decoder block after 150 iterations; phase-exchange adapter; distillation from the parent;
# 400 iterations on this project's 2-core CPU). 0.80M parameters, 0.51x the parent's
# denoiser MACs. Reproduce with `make demo` (work_dirs/demo/pruned/iter_400.pth), then
#   python tools/analysis_tools/strip_checkpoint.py work_dirs/demo/pruned/iter_400.pth \
#       checkpoints/pgp_dit_s1_pgp_x4.pth
# The removed blocks are recorded in the checkpoint, so this config is the unpruned one.
_base_ = ['../configs/pgp_diffsr/pgp_dit_s1_demo-pgp_x4.py']
custom_hooks = []  # training-only (pruning schedule); inference needs none
load_from = None
