# Shared by the CPU training scripts (tools/train_*.sh): source it after setting PY.
# train CONFIG WORK_DIR FINAL_ITER [--cfg-options ...]: reuse a finished run, resume an
# interrupted one, else start it.
train() {
    local cfg=$1 dir=$2 final=$3; shift 3
    if [ -f "$dir/iter_$final.pth" ]; then echo "reusing $dir/iter_$final.pth"; return; fi
    local resume=()
    [ -f "$dir/last_checkpoint" ] && resume=(--resume)
    "$PY" tools/train.py "$cfg" --work-dir "$dir" "${resume[@]}" "$@"
}
# strip IN OUT [--keep PREFIX]: keep only what inference needs
strip() { "$PY" tools/analysis_tools/strip_checkpoint.py "$@"; }
