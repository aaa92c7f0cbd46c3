# PGP-DiffSR on a pretrained DiT (facebook/DiT-XL-2-256: 28 blocks of width 1152; 749.8M in
# diffusers' layout, which keeps an embedding per block) and its SD VAE, stage 2 (the
# recipe of pgp_sd21unet_x4.py) from the SR parent of pgp_dit_pretrained_unpruned_x4.py:
#   tools/dist_train.sh configs/pgp_diffsr/pgp_dit_pretrained_unpruned_x4.py 8   # stage 1
#   tools/dist_train.sh configs/pgp_diffsr/pgp_dit_pretrained_x4.py 8            # stage 2
# Put that pipeline folder at pretrained/DiT-XL-2-256 (transformer/, vae/). The DiT is
# class-conditional; SR uses its null class. Its blocks are split into encoder /
# bottleneck / decoder thirds for the PGP criteria; block 0 always stays (see the class).
_base_ = ['./pgp_sd21unet_x4.py']
parent_config = 'configs/pgp_diffsr/pgp_dit_pretrained_unpruned_x4.py'
load_from = 'work_dirs/pgp_dit_pretrained_unpruned_x4/iter_50000.pth'
model = dict(
    codec=dict(pretrained='pretrained/DiT-XL-2-256'),
    backbone=dict(_delete_=True, type='DiffusersTransformerDenoiser',
                  pretrained='pretrained/DiT-XL-2-256', subfolder='transformer',
                  model_class='DiTTransformer2DModel', conditioning='concat'),
    # DiT's own training schedule: linear betas, epsilon (its learned-sigma half unused)
    scheduler=dict(beta_schedule='linear', beta_start=0.0001, beta_end=0.02),
    test_cfg=dict(tile=64, tile_overlap=8))  # trained at 32x32 latents: tile near that
# the recipe's hooks without exportable=True: pgpsr has no diffusers export for a pruned DiT
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=8, calib_steps=20,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], ratio=0.15),
                 dict(at=10000, parts=['decoder'],
                      threshold=dict(cosine=0.2, kl=0.2))],
         distill=dict(output=1.0, feature=0.5, dtype='bfloat16'), measure_lr_size=(128, 128)),
    dict(type='EMAHook', momentum=1e-4, priority=49),
]
