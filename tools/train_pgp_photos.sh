#!/usr/bin/env bash
# PGP-DiffSR on the real-photo set (`make data`), end to end: the exact commands behind
# checkpoints/pgp_dit_s1*_x4 (seed 0). The parent, then the PGP recipe with and without the
# phase-exchange adapter for SEEDS seeds (the adapter ablation). Finished runs are reused,
# an interrupted one resumes.
#   tools/train_pgp_photos.sh [WORK_DIR] [SEEDS]   (defaults work_dirs/pgp_photos, "0 1 2")
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-work_dirs/pgp_photos}
SEEDS=${2:-0 1 2}
VARIANTS=${VARIANTS:-pgp pgp-noadapter}  # e.g. VARIANTS=pgp-noadapter to run one side
PY=${PYTHON:-.venv/bin/python}
C=configs/pgp_diffsr

. tools/train_lib.sh  # train(), strip()

[ -f data/photos/manifest.json ] || "$PY" tools/dataset_converters/debian_photos.py
train $C/pgp_dit_s1_photos_x4.py "$W/parent" 6000
strip "$W/parent/iter_6000.pth" "$W/pgp_dit_s1_photos_x4.pth"
for s in $SEEDS; do
    for variant in $VARIANTS; do
        train $C/pgp_dit_s1_photos-${variant}_x4.py "$W/${variant}_seed$s" 1000 \
            --cfg-options load_from="$W/pgp_dit_s1_photos_x4.pth" randomness.seed=$s \
            model.train_cfg.seed=$s train_dataloader.dataset.seed=$s
        strip "$W/${variant}_seed$s/iter_1000.pth" "$W/pgp_dit_s1_photos-${variant}_x4_seed$s.pth"
    done
done
echo "done: $W/*.pth"
