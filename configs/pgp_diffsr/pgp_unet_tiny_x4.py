# A tiny UNet counterpart of pgp_dit_tiny_x4.py (CPU, seconds).
_base_ = ['./pgp_dit_tiny_x4.py']
model = dict(
    backbone=dict(_delete_=True, type='UNetDenoiser', in_channels=12,
                  block_channels=(32, 64), units_per_level=2, attention_levels=(1,),
                  head_dim=16, norm_groups=8))
