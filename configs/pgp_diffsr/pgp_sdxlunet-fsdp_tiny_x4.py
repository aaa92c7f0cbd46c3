# pgp_sdxlunet-fsdp_x4.py on the tiny SDXL-layout folder (tests, CPU with gloo): the
# tiny stage 2 under FSDP with the real recipe's strategy, one FSDP unit per denoiser
# block.
_base_ = ['./pgp_sdxlunet_tiny_x4.py']
strategy = dict(type='DeviceFSDPStrategy', wrap='blocks')
# the real recipe's EMA over the shards (its momentum; averages equal EMAHook's, tested)
custom_hooks = _base_.custom_hooks + [dict(type='ShardedEMAHook', momentum=1e-4)]
