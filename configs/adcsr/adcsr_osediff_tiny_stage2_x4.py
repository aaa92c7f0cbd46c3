# adcsr_osediff_stage2_x4.py's model on the tiny SD2.1-layout folder (see the stage-1 one):
# the 75%-width time- and text-free student UNet against a full copy of the teacher's UNet.
_base_ = ['./adcsr_osediff_tiny_stage1_x4.py']
# decoder_ckpt='sliced': tests run no stage 1; a real run gives the stage-1 checkpoint
model = dict(stage=2, discriminator=dict(_delete_=True), decoder_ckpt='sliced')
optim_wrapper = dict(generator=dict(optimizer=dict(lr=2e-4)),
                     discriminator=dict(optimizer=dict(lr=1e-4)))
