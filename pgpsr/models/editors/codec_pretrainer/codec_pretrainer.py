"""Train a latent codec (a VAE) as an autoencoder, before any diffusion model uses it.

A latent diffusion SR model (and AdcSR's teacher) needs a VAE that already reconstructs
photos: its encoder defines the latents the denoiser learns and AdcSR's "real" samples.
Real runs load SD's VAE; a tiny model trained from scratch on a CPU needs its own, and
this model trains one: L1 reconstruction of the GT + a small KL term
(Rombach et al., CVPR 2022, without their perceptual/GAN terms). Prediction returns the
reconstruction of the GT, so PSNR/SSIM in ``val_evaluator`` measure the codec.
"""
from typing import Dict, List, Optional, Union

import torch
from mmagic.structures import DataSample
from mmengine.model import BaseModel

from pgpsr.models.data_preprocessors.default import build_data_preprocessor
from pgpsr.models.autoencoders.contract import VAECodec, check_codec
from pgpsr.registry import MODELS


@MODELS.register_module()
class CodecPretrainer(BaseModel):
    """Trains a VAE codec as an autoencoder (the AdcSR demo's first step).

    Args:
        codec: An ``AutoencoderKLCodec`` config with ``frozen=False``.
        pixel_loss: Reconstruction loss on images in [-1, 1] (default
            ``dict(type='L1Loss', loss_weight=1.0)``).
        kl_weight: Weight of the KL divergence of the latent posterior to N(0, I),
            averaged over latent elements (keeps the latent scale bounded).
    """

    def __init__(self, codec: Dict, pixel_loss: Optional[Dict] = None, kl_weight: float = 1e-6,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(data_preprocessor=build_data_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        self.codec = MODELS.build(codec)
        check_codec(self.codec, 'CodecPretrainer (it trains a VAE)', VAECodec)
        if not any(p.requires_grad for p in self.codec.parameters()):
            raise ValueError('CodecPretrainer: the codec is frozen; set codec.frozen=False')
        self.pixel_loss = MODELS.build(pixel_loss or dict(type='L1Loss', loss_weight=1.0))
        self.kl_weight = kl_weight

    def reconstruct(self, img: torch.Tensor) -> torch.Tensor:
        """Image in [-1, 1] -> encode (posterior mode) -> decode, clamped to [-1, 1]."""
        return self.codec.vae(img, sample_posterior=False).sample.clamp(-1, 1)

    def loss(self, gt: torch.Tensor) -> Dict[str, torch.Tensor]:
        vae = self.codec.vae
        posterior = vae.encode(gt).latent_dist
        rec = vae.decode(posterior.sample()).sample
        return dict(loss_l1=self.pixel_loss(rec.float(), gt.float()),
                    loss_kl=self.kl_weight * posterior.kl().mean() / posterior.mean[0].numel())

    def _model_domain(self, data_samples) -> torch.Tensor:
        """At test time mmagic's preprocessor leaves the GT in [0, 255] and BGR; back to
        the RGB, [-1, 1] domain the codec was trained in."""
        gt = data_samples.gt_img.float()
        order = data_samples.metainfo.get('gt_img_output_channel_order', 'rgb')
        if isinstance(order, (list, tuple)):
            order = order[0]
        if str(order).lower() == 'bgr':
            gt = gt.flip(1)
        pre = self.data_preprocessor
        return (gt - pre.mean.to(gt)) / pre.std.to(gt)

    def forward(self, inputs: Union[torch.Tensor, Dict], data_samples=None,
                mode: str = 'tensor') -> Union[torch.Tensor, List[DataSample],
                                               Dict[str, torch.Tensor]]:
        """``loss`` and ``predict`` use the GT of ``data_samples``; ``tensor`` reconstructs
        ``inputs`` (an image batch in [-1, 1])."""
        if mode == 'tensor':
            img = inputs['img'] if isinstance(inputs, dict) else inputs
            return self.reconstruct(img)
        gt = data_samples.gt_img
        if mode == 'loss':
            return self.loss(gt)
        if mode == 'predict':
            with torch.no_grad():
                rec = self.reconstruct(self._model_domain(data_samples))
            rec = self.data_preprocessor.destruct(rec, data_samples)
            samples = data_samples.split()
            for sample, pred in zip(samples, DataSample(pred_img=rec.cpu()).split()):
                sample.output = pred
            return samples
        raise ValueError(f"CodecPretrainer.forward: unknown mode {mode!r}")
