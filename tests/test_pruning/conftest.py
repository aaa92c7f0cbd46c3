"""A tiny trained-looking DiT model for pruning tests."""
import pytest
import torch

from pgpsr.registry import MODELS

MODEL = dict(type='PGPDiffSR', scale=4, codec=dict(type='PixelUnshuffleCodec', factor=2),
             backbone=dict(type='DiTDenoiser', in_channels=12, patch_size=2, hidden_size=64,
                           num_heads=4, depth=(3, 2, 3)),
             sample_scheduler=dict(type='DDIMScheduler'),
             test_cfg=dict(num_steps=3, start='noise', seed=0), train_cfg=dict(seed=0))


def build_model(randomise: bool = True):
    torch.manual_seed(0)
    model = MODELS.build(MODEL)
    if randomise:  # adaLN-zero makes every fresh block an identity: give them weights
        with torch.no_grad():
            for p in model.backbone.parameters():
                p.normal_(0, 0.05)
    return model


def lr_batch(n=2, size=16):
    g = torch.Generator().manual_seed(1)
    return torch.randint(0, 256, (n, 3, size, size), generator=g, dtype=torch.uint8)


def data_batch(n=2, size=16):
    from mmagic.structures import DataSample
    lr = lr_batch(n, size)
    return dict(inputs=list(lr), data_samples=[
        DataSample(gt_img=torch.zeros(3, size * 4, size * 4, dtype=torch.uint8),
                   metainfo=dict(img_channel_order='rgb', gt_channel_order='rgb'))
        for _ in range(n)])


@pytest.fixture
def model():
    return build_model()
