# AdcSR stage 2 on the tiny teacher: the 75%-channel denoiser (no time embedding, a new
# PixelUnshuffle conv_in) learns the teacher's clean latent in the pruned decoder's
# feature space (L1 + non-saturating GAN; real = encoded GT). The discriminator is the
# teacher's denoiser with its input widened to the features.
#   python tools/train.py configs/adcsr/adcsr_tiny_stage2_x4.py --cfg-options \
#       model.teacher_ckpt=TEACHER.pth model.decoder_ckpt=STAGE1.pth
_base_ = ['./adcsr_tiny_stage1_x4.py']
model = dict(stage=2, discriminator=dict(_delete_=True, widths=None),
             gan_loss=dict(loss_weight=0.05),
             decoder_ckpt='sliced')  # tests; a real run gives the stage-1 checkpoint
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=2e-4)),
    discriminator=dict(optimizer=dict(lr=1e-4)))
