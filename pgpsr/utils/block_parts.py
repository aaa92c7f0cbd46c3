"""The three parts every prunable denoiser's blocks belong to (PGP-DiffSR's split: UNet
down blocks / mid block / up blocks; a DiT's first / middle / last groups). Shared by the
backbone contract and the pruning policy, below both."""
PARTS = ('encoder', 'bottleneck', 'decoder')
