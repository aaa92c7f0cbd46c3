"""pyiqa's own computation (AdcSR's ``evaluate.py``: ``pyiqa.create_metric`` on files) with
each network built once for both sides.

pgpsr's registered metric builds the network through pyiqa's ``build_network(opts)``; the
options it passes are recorded. ``pyiqa.create_metric`` then asks ``build_network`` for its
own network: the test asserts it asks for exactly the recorded options and hands it the
module already built (same options + same weight files = the same network; a second build
of MANIQA's ViT-B/8 or DISTS's VGG16 costs seconds and proves nothing more). Everything
after the build runs unchanged on both sides: pyiqa reads the PNG files, checks their
range and calls the network; pgpsr converts the BGR tensors mmagic hands a metric.
"""
import contextlib
import copy
from typing import Dict, List, Tuple
from unittest import mock

import torch
from torch import nn

from pgpsr.compat import pyiqa_offline
from pgpsr.registry import METRICS


@contextlib.contextmanager
def recording_builds():
    """Record ``(options, network)`` of every ``pyiqa.archs.build_network`` call."""
    import pyiqa.archs
    real = pyiqa.archs.build_network
    calls: List[Tuple[Dict, nn.Module]] = []

    def build(opts):
        net = real(copy.deepcopy(opts))
        calls.append((dict(opts), net))
        return net

    with mock.patch.object(pyiqa.archs, 'build_network', build):
        yield calls


def build_ours(cfg: Dict):
    """pgpsr's metric from its config, with the pyiqa options and network it built
    (``(None, None)`` for a metric without a network, e.g. PSNR-Y)."""
    with recording_builds() as calls:
        metric = METRICS.build(cfg)
    assert len(calls) <= 1, [opts for opts, _ in calls]
    return (metric, *calls[0]) if calls else (metric, None, None)


def create_metric(name: str, hub: str, opts=None, net=None, **kwargs):
    """``pyiqa.create_metric(name, device='cpu', **kwargs)`` offline; given ``net``, it
    must ask ``build_network`` for ``opts`` and gets ``net`` instead of a second build."""
    import pyiqa
    import pyiqa.models.inference_model as inference_model
    asked: List[Dict] = []

    def build(net_opts):
        asked.append(dict(net_opts))
        return net

    patch = (mock.patch.object(inference_model, 'build_network', build) if net is not None
             else contextlib.nullcontext())
    with pyiqa_offline(hub), patch:
        metric = pyiqa.create_metric(name, device=torch.device('cpu'), **kwargs)
    if net is not None:
        assert asked == [opts], f'pyiqa builds {name} with {asked}, pgpsr with {opts}'
    return metric


def _same(a, b) -> bool:
    if torch.is_tensor(a) or torch.is_tensor(b):
        return (torch.is_tensor(a) and torch.is_tensor(b) and a.shape == b.shape
                and a.dtype == b.dtype and torch.equal(a, b))
    return a == b


def _cat(outputs):
    if len(outputs) == 1:
        return outputs[0]
    if torch.is_tensor(outputs[0]):
        return torch.cat(outputs)
    return type(outputs[0])(torch.cat(parts) for parts in zip(*outputs))


@contextlib.contextmanager
def memoised(net: nn.Module):
    """Run ``net`` image by image, and answer an image it has seen bitwise (with bitwise
    the same other arguments) with the output it computed then: a network in eval mode is
    a function of its input. When pgpsr and pyiqa hand the shared network the very same
    tensors, pyiqa's forward costs nothing; any difference runs the network again, and
    the comparison of the two scores judges it. Yields the number of answered images."""
    real, seen, hits = net.forward, [], [0]

    def forward(*args, **kwargs):
        batch = next(a for a in args if torch.is_tensor(a)).shape[0]
        outputs = []
        for i in range(batch):
            one = [a[i:i + 1] if torch.is_tensor(a) else a for a in args]
            for key, kw, out in seen:
                if (kw == kwargs and len(key) == len(one)
                        and all(_same(a, b) for a, b in zip(key, one))):
                    hits[0] += 1
                    break
            else:
                out = real(*one, **kwargs)
                seen.append((one, kwargs, out))
            outputs.append(out)
        return _cat(outputs)

    with mock.patch.object(net, 'forward', forward):
        yield hits
