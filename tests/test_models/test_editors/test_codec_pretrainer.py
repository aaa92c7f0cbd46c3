"""CodecPretrainer: trains a real diffusers VAE on real photos; its weights load back into
AutoencoderKLCodec under a prefix; full training checkpoints are refused with a fix."""
import numpy as np
import pytest
import torch
from mmagic.structures import DataSample
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from pgpsr.datasets import read_image
from pgpsr.datasets.embedded import DEFAULT_ROOT
from pgpsr.registry import MODELS

TINY_VAE = dict(in_channels=3, out_channels=3, down_block_types=['DownEncoderBlock2D'] * 2,
                up_block_types=['UpDecoderBlock2D'] * 2, block_out_channels=[16, 16],
                layers_per_block=1, latent_channels=4, norm_num_groups=4, scaling_factor=1.0)


def tiny_pretrainer():
    return MODELS.build(dict(type='CodecPretrainer', kl_weight=1e-6,
                             codec=dict(type='AutoencoderKLCodec', config=TINY_VAE,
                                        frozen=False)))


def photo_batch(size=32):
    img = read_image(f'{DEFAULT_ROOT}/train/astronaut.png').rgb
    crops = [img[y:y + size, x:x + size] for y, x in ((100, 100), (200, 240))]
    gt = torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2).float()
    samples = [DataSample(gt_img=g, metainfo=dict(gt_channel_order='rgb',
                                                           img_channel_order='rgb')) for g in gt]
    return dict(inputs=gt.clone(), data_samples=samples)


def test_reconstruction_loss_falls_on_real_photos():
    torch.manual_seed(0)
    model = tiny_pretrainer()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=2e-3))
    batch = photo_batch()
    # measured: 0.20 of the first loss after 5 steps, 0.10 after 10, 0.04 after 60
    first = [float(model.train_step(batch, optim)['loss_l1'].detach()) for _ in range(12)]
    assert first[-1] < 0.5 * first[0], first


def test_predict_reconstructs_gt_in_the_metric_convention():
    """At test time mmagic hands the GT over as BGR in [0, 255]: the reconstruction must be
    of the RGB photo and come back in the same convention as the GT."""
    torch.manual_seed(0)
    model = tiny_pretrainer().eval()
    batch = photo_batch()
    data = model.data_preprocessor(batch, False)
    out = model(**data, mode='predict')
    gt_bgr = data['data_samples'].gt_img.float()
    rgb = torch.stack([s.gt_img for s in photo_batch()['data_samples']]) / 127.5 - 1
    assert torch.equal(gt_bgr.flip(1) / 127.5 - 1, rgb)  # the model must reconstruct RGB
    ref = model.reconstruct(rgb)
    pred = torch.stack([o.output.pred_img for o in out]).float()
    assert pred.shape == gt_bgr.shape
    assert torch.allclose(pred.flip(1), ((ref + 1) * 127.5).clamp(0, 255), atol=1.0)


def test_weights_load_back_into_the_codec_under_a_prefix(tmp_path):
    torch.manual_seed(0)
    model = tiny_pretrainer()
    torch.save(dict(state_dict=model.state_dict(), meta=dict(iter=1)), tmp_path / 'vae.pth')
    codec = MODELS.build(dict(type='AutoencoderKLCodec', config=TINY_VAE, prefix='codec.vae.',
                              pretrained=str(tmp_path / 'vae.pth')))
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    assert torch.equal(codec.encode(x), model.codec.encode(x))
    with pytest.raises(KeyError, match="AutoencoderKLCodec.pretrained: .* no weights under 'generator.'"):
        MODELS.build(dict(type='AutoencoderKLCodec', config=TINY_VAE, prefix='generator.',
                          pretrained=str(tmp_path / 'vae.pth')))


def test_a_full_training_checkpoint_is_refused_with_the_fix(tmp_path):
    from mmengine.logging import HistoryBuffer
    torch.save(dict(state_dict={}, message_hub=dict(log=HistoryBuffer())), tmp_path / 'it.pth')
    with pytest.raises(ValueError, match='strip_checkpoint.py'):
        MODELS.build(dict(type='AutoencoderKLCodec', config=TINY_VAE,
                          pretrained=str(tmp_path / 'it.pth')))


def test_frozen_codec_is_refused():
    with pytest.raises(ValueError, match='frozen=False'):
        MODELS.build(dict(type='CodecPretrainer',
                          codec=dict(type='AutoencoderKLCodec', config=TINY_VAE)))


def test_demo_vae_config_builds_an_f4_codec():
    cfg = Config.fromfile('configs/adcsr/vae_f4c8_demo.py')
    model = MODELS.build(cfg.model)
    assert model.codec.factor == 4 and model.codec.latent_channels == 8
