"""LPIPS as a training loss (AdcSR stage 1's perceptual term)."""
from typing import Optional

import torch
from mmengine.logging import print_log
from torch import nn

from pgpsr.registry import MODELS
from ..perceptual import (DEFAULT_VGG16, LPIPSNet, load_vgg16_features, package_file,
                          vgg16_missing)


@MODELS.register_module()
class LPIPSLoss(nn.Module):
    """``loss_weight`` x mean LPIPS distance of two RGB batches in [-1, 1].

    The VGG16 backbone is read from ``vgg16_path`` (local; torchvision's cache by default),
    the linear heads from the ``lpips`` wheel. Without the VGG16 file the loss is off:
    ``available`` is False and a log line says why. The network is frozen and kept out of
    the module tree (``self.__dict__``): it is not trained, not in checkpoints, not wrapped
    by DDP; it follows its input's device.
    """

    def __init__(self, loss_weight: float = 1.0, vgg16_path: Optional[str] = DEFAULT_VGG16,
                 head_path: Optional[str] = None) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        reason = vgg16_missing(vgg16_path)
        net = None
        if reason:
            print_log(f'LPIPSLoss is off: {reason}', logger='current')
        else:
            heads = torch.load(head_path or package_file('lpips', 'weights/v0.1/vgg.pth'),
                               map_location='cpu', weights_only=True)
            net = LPIPSNet(load_vgg16_features(vgg16_path), heads).eval().requires_grad_(False)
        self.__dict__['net'] = net

    @property
    def available(self) -> bool:
        return self.__dict__['net'] is not None

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        net = self.__dict__['net']
        if net is None:
            raise RuntimeError('LPIPSLoss has no network (VGG16 weights missing); check '
                               '`available` first')
        if next(net.parameters()).device != pred.device:
            net.to(pred.device)
        return self.loss_weight * net(pred.float(), target.float()).mean()
