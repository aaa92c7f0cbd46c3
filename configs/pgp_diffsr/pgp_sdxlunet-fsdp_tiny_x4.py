# pgp_sdxlunet-fsdp_x4.py on the tiny SDXL-layout folder (tests, CPU with gloo): the
# tiny stage 2 under FSDP with the real recipe's strategy, one FSDP unit per denoiser
# block.
_base_ = ['./pgp_sdxlunet_tiny_x4.py']
strategy = dict(type='DeviceFSDPStrategy', wrap='blocks')
