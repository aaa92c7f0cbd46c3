# pgp_sdxlunet_x4.py (stage 2: progressive pruning from the SR parent) with weights,
# gradients and AdamW states sharded by FSDP: 5.4 GiB of model states per GPU on 8 GPUs
# instead of 43 GiB under DDP (docs/pretrained_backbones.md "Scaling past one GPU's memory").
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sdxlunet_unpruned_x4.py 8   # stage 1
#   tools/dist_train.sh configs/pgp_diffsr/pgp_sdxlunet-fsdp_x4.py 8       # stage 2
# FSDP flattens the parameters when it wraps the model, so each pruning stage is a
# restart: at the stage's iteration the run saves a consolidated checkpoint and stops;
# tools/train.py resumes from it with the blocks removed before wrapping (step counter,
# data order, optimizer moments and EMA continue exactly; tested against an uninterrupted
# DDP run on 2 CPU ranks, tests/test_engine/test_sharded_pruning.py). DeviceFSDPStrategy
# is mmengine's FSDPStrategy with consolidated checkpoints, a global gradient-norm clip
# and torch 2's optimizer-state loading (pgpsr/engine/fsdp_strategy.py).
# The distillation teacher is a whole bf16 copy per GPU (4.8 GiB); FSDP units are the
# UNet units' ResNets, transformers and transformer layers (docs/pretrained_backbones.md "Pruning under FSDP").
# Not run at this size here (no GPUs); its tiny twin is pgp_sdxlunet-fsdp_tiny_x4.py.
_base_ = ['./pgp_sdxlunet_x4.py']
strategy = dict(type='DeviceFSDPStrategy', wrap='blocks')  # one FSDP unit per denoiser block
# the pruning hook, then the recipe's EMA (momentum 1e-4) over the shards: mmengine's EMAHook
# copies a sharded module; ShardedEMAHook averages each rank's shards (1.2 GiB per GPU
# instead of a 9.6 GiB copy) and writes EMAHook's checkpoint layout
custom_hooks = _base_.custom_hooks[:1] + [dict(type='ShardedEMAHook', momentum=1e-4)]
