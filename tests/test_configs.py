"""Every config builds; real-size ones are built on the meta device (no memory)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from pgpsr.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(p for pattern in ('configs/**/*.py', 'checkpoints/*.py')
                 for p in glob.glob(osp.join(ROOT, pattern), recursive=True)
                 if '_base_' not in p)


def _build(path):
    cfg = Config.fromfile(path)
    model_cfg = cfg.model
    for owner in (model_cfg, model_cfg.get('teacher', {})):  # weights not on this machine
        if owner.get('codec', {}).get('pretrained'):
            owner.codec.pretrained = None
    with torch.device('meta'):
        return MODELS.build(model_cfg)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds(path):
    model = _build(path)
    assert sum(p.numel() for p in model.parameters()) > 0


def test_headline_dit_is_real_size():
    model = _build(osp.join(ROOT, 'configs', 'pgp_dit_x4.py'))
    n = sum(p.numel() for p in model.backbone.parameters())
    assert 600e6 < n < 800e6, n
    assert model.codec.factor == 8 and model.codec.latent_channels == 4


def test_headline_is_the_unified_recipe():
    from pgpsr.registry import HOOKS
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'pgp_dit_x4.py'))
    assert cfg.model.neck.type == 'PhaseExchangeAdapter' and cfg.load_from
    hook = HOOKS.build(cfg.custom_hooks[0])
    assert [s['parts'] for s in hook.stages] == [['encoder', 'bottleneck'], ['decoder']]
    assert hook.distill['output'] > 0


def test_unet_is_sd21_size():
    model = _build(osp.join(ROOT, 'configs', 'pgp_diffsr', 'pgp_unet_sd21size_x4.py'))
    n = sum(p.numel() for p in model.backbone.parameters())
    assert 400e6 < n < 1000e6, n


def test_headline_config_without_vae_weights_says_what_is_missing():
    from pgpsr.utils import MissingWeightsError
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'pgp_dit_x4.py'))
    with pytest.raises(MissingWeightsError, match='sd-vae-ft-ema'):
        with torch.device('meta'):
            MODELS.build(cfg.model)
