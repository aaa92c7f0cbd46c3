# Shipped checkpoint checkpoints/pgp_dit_s1_x4.pth: the demo's unpruned parent (one-step
# residual DiT, 1.46M parameters, 800 iterations, about 4 minutes on this project's 2-core
# CPU), trained on the embedded scikit-image photos (training split only), bicubic x4 pairs.
# Reproduce:
#   python tools/train.py checkpoints/pgp_dit_s1_x4.py --work-dir work_dirs/pgp_dit_s1_x4
#   python tools/analysis_tools/strip_checkpoint.py work_dirs/pgp_dit_s1_x4/iter_800.pth \
#       checkpoints/pgp_dit_s1_x4.pth
# Use:
#   python tools/infer.py checkpoints/pgp_dit_s1_x4.py checkpoints/pgp_dit_s1_x4.pth \
#       --input photo.png --output out/
_base_ = ['../configs/pgp_diffsr/pgp_dit_s1_demo_x4.py']
