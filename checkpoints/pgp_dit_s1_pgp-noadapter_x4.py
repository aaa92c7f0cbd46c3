# Shipped checkpoint checkpoints/pgp_dit_s1_pgp-noadapter_x4.pth: the adapter ablation of
# checkpoints/pgp_dit_s1_pgp_x4.pth: the same PGP-DiffSR schedule, distillation and
# budget from checkpoints/pgp_dit_s1_x4.pth, without the phase-exchange adapter (400
# iterations on this project's 2-core CPU). Reproduce with `make demo`
# (work_dirs/demo/pruned_no_adapter/iter_400.pth), then
#   python tools/analysis_tools/strip_checkpoint.py \
#       work_dirs/demo/pruned_no_adapter/iter_400.pth checkpoints/pgp_dit_s1_pgp-noadapter_x4.pth
# The removed blocks are recorded in the checkpoint, so this config is the unpruned one.
_base_ = ['../configs/pgp_diffsr/pgp_dit_s1_demo-pgp-noadapter_x4.py']
custom_hooks = []  # training-only (pruning schedule); inference needs none
load_from = None
