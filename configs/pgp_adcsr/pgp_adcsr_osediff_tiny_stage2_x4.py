# PGP∘AdcSR's stage 2 on the tiny OSEDiff folder: the student sliced from the block
# stage's pruned UNet (model.block_source) to 62.5% of the channels (the teacher's
# channels per GroupNorm group kept), in the stage-1 decoder's feature space.
_base_ = ['../adcsr/adcsr_osediff_tiny_stage2_x4.py']
model = dict(unet_widths=dict(_delete_=True, block_out_channels=0.625, norm_num_groups=0.625),
             block_source=None)
