# SDXL fine-tuning past one GPU's memory: mmengine's FlexibleRunner with FSDP (weights,
# gradients and AdamW states sharded: 5.4 GiB of model states per GPU on 8 GPUs, see the
# README's memory plan). FSDP flattens parameters when it wraps the model, so blocks
# cannot be removed during this run (ProgressivePruneHook refuses sharded strategies):
# prune first, then fine-tune the pruned model with its adapter here:
#   python tools/prune.py configs/pgp_diffsr/pgp_sdxlunet_x4.py --ratio 0.3 \
#       --criterion cosine --out work_dirs/pgp_sdxlunet_oneshot.pth
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sdxlunet-fsdp_x4.py 8
# Untested here (no GPUs): the FlexibleRunner switch itself is tested on a CPU with
# SingleDeviceStrategy (tests/test_tools/test_flexible_runner.py).
_base_ = ['./pgp_sdxlunet_x4.py']
load_from = 'work_dirs/pgp_sdxlunet_oneshot.pth'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(auto_wrap_policy=dict(
        type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy',
        min_num_params=int(1e7))))
custom_hooks = []  # no progressive pruning and no EMA over sharded parameters
