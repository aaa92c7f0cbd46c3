# The shipped PGP recipe (checkpoints/pgp_dit_s1_pgp_x4): pgp_dit_s1_photos-pgp_x4.py with
# the phase-exchange adapter at one site only, after the last decoder position
# (insert='decoder_output': one exchange per denoiser call instead of one per decoder
# position), in a 32-channel bottleneck of the 96-channel feature (rank=32: the FFTs and
# the phase arithmetic at a third of the width). Measured (docs/results.md, 3 seeds):
# +0.04 dB over no adapter at 1.05x-1.09x its latency; at full width the same site gave
# +0.06 dB at 1.11x-1.18x, at every position +0.10 dB at 1.22x-1.29x.
_base_ = ['./pgp_dit_s1_photos-pgp_x4.py']
model = dict(neck=dict(insert='decoder_output', rank=32))
