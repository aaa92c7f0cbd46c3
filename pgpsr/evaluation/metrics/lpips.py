"""LPIPS (Zhang et al. 2018, VGG variant, v0.1 linear heads), lower is better.

The heads ship in the ``lpips`` wheel (installed with mmagic); the VGG16 backbone is
read from a local file. Without it the metric is skipped and says why. The network is
pgpsr.models.perceptual.LPIPSNet, shared with the training loss.
"""
from pgpsr.models.perceptual import LPIPSNet
from pgpsr.registry import METRICS
from .vgg_metric import VGGPerceptualMetric


@METRICS.register_module()
class LPIPS(VGGPerceptualMetric):
    """LPIPS of ``output.pred_img`` vs ``gt_img``; heads default to the ``lpips`` wheel's."""
    name = 'LPIPS'
    head_package = ('lpips', 'weights/v0.1/vgg.pth')
    input_scale = 'symmetric'

    def build_net(self, features, heads):
        return LPIPSNet(features, heads)
