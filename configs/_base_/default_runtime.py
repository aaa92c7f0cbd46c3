# Runtime shared by every pgpsr config.
default_scope = 'pgpsr'

# mmengine's hooks by name (mmagic's same-named ones expect its multi-loops).
# Checkpoints and `last_checkpoint` are written atomically (pgpsr.engine.atomic_backend).
default_hooks = dict(
    timer=dict(type='mmengine.IterTimerHook'),
    logger=dict(type='mmengine.LoggerHook', interval=10),
    param_scheduler=dict(type='mmengine.ParamSchedulerHook'),
    checkpoint=dict(type='mmengine.CheckpointHook', interval=500, by_epoch=False, max_keep_ckpts=3,
                    save_last=True, backend_args=dict(backend='atomic_local')),
    sampler_seed=dict(type='mmengine.DistSamplerSeedHook'),
)
custom_hooks = []

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # gloo on CPU-only machines, nccl where GPUs exist (tools/train.py picks)
    dist_cfg=dict(backend='nccl'),
)
randomness = dict(seed=0, deterministic=False)

log_processor = dict(type='mmengine.LogProcessor', window_size=10, by_epoch=False)
log_level = 'INFO'
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ConcatImageVisualizer', vis_backends=vis_backends, fn_key='gt_path',
                  img_keys=['gt_img', 'input', 'pred_img'], bgr2rgb=True)
load_from = None
resume = False
