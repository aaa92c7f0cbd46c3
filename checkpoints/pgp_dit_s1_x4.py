# Shipped checkpoint checkpoints/pgp_dit_s1_x4.pth: the demo-size unpruned parent (one-step
# residual DiT, 1.46M parameters) trained on the real-photo set (`make data`: 336 crops of
# 14 Lomiri wallpaper photos, 90% MATLAB-bicubic / 10% Real-ESRGAN x4 pairs; 6000
# iterations, batch 8, on this project's 2-core CPU). Reproduce (with its pruned children): tools/train_pgp_photos.py,
# which ends with
#   python tools/analysis_tools/strip_checkpoint.py work_dirs/pgp_photos/parent/iter_6000.pth \
#       checkpoints/pgp_dit_s1_x4.pth
# Use:
#   python tools/infer.py checkpoints/pgp_dit_s1_x4.py checkpoints/pgp_dit_s1_x4.pth \
#       --input photo.png --output out/
_base_ = ['../configs/pgp_diffsr/pgp_dit_s1_photos_x4.py']
