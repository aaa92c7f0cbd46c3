# PGP∘AdcSR on OSEDiff (real size): AdcSR's stage 2 (adcsr_osediff_stage2_x4.py, its
# stage-1 decoder as it is) on a student with blocks removed from OSEDiff's UNet before it
# is sliced: the mid block, the lowest level's two encoder units with two of its three
# decoder units, and level 2's second encoder unit with the decoder unit reading its skip;
# then 62.5% of the channels (200/400/800, the teacher's 10 channels per GroupNorm group).
# UNet + decoder: 172.7M parameters, 0.18x OSEDiff's UNet + VAE
# (tools/analysis_tools/adcsr_real_size.py). The kept blocks start from OSEDiff's weights;
# to start from a block stage's fine-tuned UNet instead see pgp_adcsr_osediff_blocks_x4.py.
#   tools/dist_train.sh configs/pgp_adcsr/pgp_adcsr_osediff_stage2_x4.py 8 --cfg-options \
#       model.decoder_ckpt=work_dirs/adcsr_osediff_stage1_x4/iter_50000.pth
_base_ = ['../adcsr/adcsr_osediff_stage2_x4.py']
model = dict(
    student_init=None,  # sliced from the teacher (a same-shape UNet cannot hold the budget)
    unet_norm_groups='scaled',
    unet_widths=dict(_delete_=True, block_out_channels=0.625, norm_num_groups=0.625),
    removed_blocks=['bottleneck.0', 'bottleneck.1', 'encoder.3.0', 'encoder.3.1',
                    'decoder.3.0', 'decoder.3.1', 'encoder.2.1', 'decoder.2.0'],
    block_source=None)
