# PGP-DiffSR, the unified recipe at real size:
#   tools/dist_train.sh configs/pgp_dit_x4.py 8
# Starts from the trained unpruned parent (`load_from`, made by
# configs/pgp_diffsr/pgp_dit_unpruned_x4.py), prunes the 708M-parameter DiT progressively
# (coarse stage: encoder and bottleneck down to one block each; fine stage: decoder blocks
# whose input-vs-output cosine dissimilarity Phi is below 0.2, the paper's value, and KL
# Psi below 0.2, ours: the paper names no Psi threshold), trains the phase-exchange
# adapter jointly, and distils from the frozen parent. Needs the SD VAE locally
# (configs/_base_/sd_vae.py) and the DF2K sub-images (configs/_base_/datasets/gt_folder_x4.py).
_base_ = ['./pgp_diffsr/pgp_dit_unpruned_x4.py']
load_from = 'work_dirs/pgp_dit_unpruned_x4/iter_200000.pth'
model = dict(neck=dict(type='PhaseExchangeAdapter', channels=1152, cond_channels=4,
                       insert='decoder_blocks', exchange='phase', blend=True))
max_iters = 60000
train_cfg = dict(max_iters=max_iters)
custom_hooks = [
    dict(type='ProgressivePruneHook', criterion='cosine', calib_batches=8, calib_steps=20,
         stages=[dict(at=0, parts=['encoder', 'bottleneck'], keep=1),
                 dict(at=20000, parts=['decoder'],
                      threshold=dict(cosine=0.2, kl=0.2))],
         distill=dict(output=1.0, feature=0.5, dtype='bfloat16'), measure_lr_size=(128, 128)),
    dict(type='EMAHook', momentum=1e-4, priority=49),
]
