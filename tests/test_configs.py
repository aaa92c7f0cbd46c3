"""Every config builds; real-size ones are built on the meta device (no memory)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from pgpsr.models.pretrained import diffusers_archs as archs
from pgpsr.models.pretrained.tiny_pretrained import TINY_VAE
from pgpsr.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(p for pattern in ('configs/**/*.py', 'checkpoints/*.py')
                 for p in glob.glob(osp.join(ROOT, pattern), recursive=True)
                 if '_base_' not in p)


ARCH_OF_FOLDER = dict(  # the released folders' architectures, for the meta device
    {'stable-diffusion-2-1': archs.SD21_UNET, 'stable-diffusion-xl': archs.SDXL_UNET,
     'pretrained/osediff': archs.SD21_UNET,  # OSEDiff = SD2.1-base + merged LoRA
     'adcsr_release/osediff': archs.SD21_UNET,  # AdcSR's osediff.pkl, converted
     'DiT-XL-2': archs.DIT_XL_2, 'tiny_pretrained/sd21': archs.TINY_SD21_UNET,
     'tiny_pretrained/sdxl': archs.TINY_SDXL_UNET, 'tiny_pretrained/dit': archs.TINY_DIT})


def _build(path):
    cfg = Config.fromfile(path)
    model_cfg = cfg.model
    if model_cfg.get('teacher_ckpt'):  # meta tensors: nothing to load into
        model_cfg.teacher_ckpt = None
    if model_cfg.get('student_init'):  # a same-shape UNet: slicing the teacher's is alike
        model_cfg.student_init = None
    if model_cfg.get('gt_vae'):  # weights not on this machine; used in training only
        model_cfg.gt_vae = None
    if (model_cfg.get('discriminator') or {}).get('init'):  # same shape as the teacher's
        model_cfg.discriminator.init = None
    if model_cfg.get('type') == 'AdcSR' and model_cfg.get('decoder_ckpt') != 'from_checkpoint':
        model_cfg.decoder_ckpt = 'sliced'
    for owner in (model_cfg, model_cfg.get('teacher', {})):  # weights not on this machine
        codec = owner.get('codec', {})
        if codec.get('pretrained'):
            tiny = 'tiny_pretrained' in codec.pretrained  # a weights file's own config stays
            codec.update(pretrained=None, config=codec.get('config') or dict(
                TINY_VAE if tiny else archs.SD_VAE))
        backbone = owner.get('backbone', {})
        if backbone.get('pretrained'):
            arch = [a for k, a in ARCH_OF_FOLDER.items() if k in backbone.pretrained]
            backbone.pretrained, backbone.config = None, arch[0]
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


@pytest.mark.parametrize('name, low, high', [('pgp_sd21unet_x4', 860e6, 870e6),
                                              ('pgp_sdxlunet_x4', 2.56e9, 2.58e9),
                                              ('pgp_dit_pretrained_x4', 745e6, 755e6)])
def test_pretrained_configs_hold_the_real_architectures(name, low, high):
    """SD2.1-base UNet 865.9M, SDXL-base UNet 2567.5M, DiT-XL/2 749.8M in diffusers' layout
    (675M in the paper's: diffusers keeps a timestep/class embedding in every block), plus
    the widened input layer; the adapter sizes itself from the backbone."""
    model = _build(osp.join(ROOT, 'configs', 'pgp_diffsr', name + '.py'))
    n = sum(p.numel() for p in model.backbone.parameters())
    assert low < n < high, n
    widths = {u.cond_proj.out_channels for u in model.neck.units.values()}
    assert widths <= {320, 640, 1280, 1152}


def test_headline_config_without_vae_weights_says_what_is_missing():
    from pgpsr.utils import MissingWeightsError
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'pgp_dit_x4.py'))
    with pytest.raises(MissingWeightsError, match='sd-vae-ft-ema'):
        with torch.device('meta'):
            MODELS.build(cfg.model)


def synthesises_test_lr(path: str) -> bool:
    """Whether the config's test set remakes LR from GT (no ``lq_folder``)."""
    dataset = (Config.fromfile(path).get('test_dataloader') or {}).get('dataset') or {}
    return bool(dataset) and dataset.get('lq_folder') is None


def test_a_dataset_config_that_remakes_test_lr_says_so_in_its_name():
    """Scoring LR remade from GT is not scoring a given paired set: such dataset configs
    carry 'synthlr' in their file name, and only they do."""
    found = {osp.basename(p): synthesises_test_lr(p)
             for p in glob.glob(osp.join(ROOT, 'configs/_base_/datasets/*.py'))}
    assert found and any(found.values()) and not all(found.values())
    assert {name: 'synthlr' in name for name in found} == found
