#!/usr/bin/env bash
# AdcSR's CPU demo, end to end: the exact commands behind checkpoints/adcsr_teacher_demo_x4
# and checkpoints/adcsr_demo_x4, trained on the real-photo set (made here by `make data` if
# missing). Finished steps are reused, an interrupted one resumes.
#   tools/train_adcsr_demo.sh [WORK_DIR]        (default work_dirs/adcsr_demo)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-work_dirs/adcsr_demo}
PY=${PYTHON:-.venv/bin/python}
C=configs/adcsr

. tools/train_lib.sh  # train(), strip()
make -s data

# 1. the VAE (an autoencoder on the photo crops)
train $C/vae_f4c8_demo.py "$W/vae" 1500
strip "$W/vae/iter_1500.pth" "$W/vae.pth"
# 2. the one-step teacher on that VAE
train $C/adcsr_teacher_demo_x4.py "$W/teacher" 1200 \
    --cfg-options model.codec.pretrained="$W/vae.pth"
# 3. stage 1: the 50%-channel decoder
train $C/adcsr_demo_stage1_x4.py "$W/stage1" 600 \
    --cfg-options model.teacher.codec.pretrained="$W/vae.pth"
# 4. stage 2: the 75%-channel denoiser, adversarial feature distillation
train $C/adcsr_demo_stage2_x4.py "$W/stage2" 3000 --cfg-options \
    model.teacher.codec.pretrained="$W/vae.pth" \
    model.teacher_ckpt="$W/teacher/iter_1200.pth" model.decoder_ckpt="$W/stage1/iter_600.pth"
# inference-only copies (what checkpoints/ ships)
strip "$W/teacher/iter_1200.pth" "$W/adcsr_teacher_demo_x4.pth"
strip "$W/stage2/iter_3000.pth" "$W/adcsr_demo_x4.pth" --keep generator.  # the student
echo "done: $W/adcsr_teacher_demo_x4.pth (config checkpoints/adcsr_teacher_demo_x4.py)," \
     "$W/adcsr_demo_x4.pth (config checkpoints/adcsr_demo_x4.py)"
