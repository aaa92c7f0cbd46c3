import pytest
from mmengine.registry import DefaultScope

from pgpsr.registry import DATASETS, METRICS, MODELS, TRANSFORMS


def test_registries_are_children_of_mmagic():
    for reg in (MODELS, DATASETS, TRANSFORMS, METRICS):
        assert reg.scope == 'pgpsr'
        assert reg.parent.scope == 'mmagic'
        assert reg.parent.parent.scope == 'mmengine'


def test_mmagic_and_mmengine_components_reachable_from_pgpsr_configs():
    with DefaultScope.overwrite_default_scope('pgpsr'):
        pre = MODELS.build(dict(type='DataPreprocessor', mean=[0.0] * 3, std=[255.0] * 3))
        assert type(pre).__module__.startswith('mmagic')
        pack = TRANSFORMS.build(dict(type='PackInputs'))
        assert type(pack).__name__ == 'PackInputs'
        assert MODELS.get('PGPDiffSR').__module__.startswith('pgpsr')


def test_wrong_model_key_names_the_key():
    cfg = dict(type='PixelUnshuffleCodec', factr=2)
    with pytest.raises(TypeError, match='factr'):
        MODELS.build(cfg)


def test_wrong_test_cfg_key_names_the_key():
    cfg = dict(type='PGPDiffSR', codec=dict(type='PixelUnshuffleCodec'),
               backbone=dict(type='DiTDenoiser', in_channels=12, hidden_size=16, num_heads=2,
                             depth=(1, 1, 1)),
               test_cfg=dict(num_step=3))
    with pytest.raises(KeyError, match='num_step'):
        MODELS.build(cfg)


def test_unknown_type_names_it():
    with pytest.raises(KeyError, match='NoSuchBackbone'):
        MODELS.build(dict(type='NoSuchBackbone'))
