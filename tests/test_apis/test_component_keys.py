"""A --cfg-options key inside a component's dict that its class does not take is refused
before anything is built, naming the class and the closest key it takes (it used to end
in a 300-line TypeError from inside the Runner, or be ignored)."""
import os.path as osp

import pytest

from pgpsr.apis import load_config
from pgpsr.apis.component_keys import accepted_keys
from pgpsr.apis.config_keys import ConfigKeyError
from tests.test_tools.helpers import run_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PGP = osp.join(ROOT, 'configs/pgp_diffsr/pgp_dit_s1_photos-pgp_x4.py')


@pytest.mark.parametrize('option,cls,suggestion', [
    ('train_cfg.max_iter', 'IterBasedTrainLoop', 'train_cfg.max_iters'),
    ('model.backbone.hiden_size', 'DiTDenoiser', 'model.backbone.hidden_size'),
    ('custom_hooks.0.critrion', 'ProgressivePruneHook', 'custom_hooks.0.criterion'),
    ('optim_wrapper.optimizer.lrr', 'AdamW', 'optim_wrapper.optimizer.lr'),
    # SRImageFolderDataset forwards **kwargs to mmengine's BaseDataset: both are checked
    ('train_dataloader.dataset.dataroot', 'SRImageFolderDataset',
     'train_dataloader.dataset.data_root'),
])
def test_a_key_the_class_does_not_take_is_refused_with_the_closest(option, cls, suggestion):
    with pytest.raises(ConfigKeyError, match=rf"{cls} .* takes no .*did you mean "
                                             rf"'{suggestion}'"):
        load_config(PGP, {option: 1})


@pytest.mark.parametrize('option,value', [
    ('train_cfg.max_iters', 5), ('model.backbone.hidden_size', 96),
    ('custom_hooks.0.criterion', 'kl'), ('optim_wrapper.optimizer.lr', 1e-4),
    ('train_dataloader.dataset.data_root', 'elsewhere'),  # the base class's key
    ('model.test_cfg.tile', 32),  # a dict without a type: the model reads it key by key
])
def test_keys_the_class_takes_pass_and_take_effect(option, value):
    cfg = load_config(PGP, {option: value})
    node = cfg
    for part in option.split('.'):
        node = node[int(part)] if part.isdigit() else node[part]
    assert node == value


def test_open_kwargs_are_not_guessed():
    class Open:
        def __init__(self, a, **kwargs):
            pass
    assert accepted_keys(Open) is None  # its **kwargs end at object: anything may be read


def test_train_py_prints_one_line_naming_the_fix(tmp_path):
    res = run_tool(['tools/train.py', PGP, '--work-dir', str(tmp_path), '--cfg-options',
                    'train_cfg.max_iter=5'], timeout=300)
    assert res.returncode != 0
    assert "did you mean 'train_cfg.max_iters'" in res.stderr
    assert 'Traceback' not in res.stderr and len(res.stderr.strip().splitlines()) <= 3
    assert not any(tmp_path.iterdir())  # refused before anything ran
