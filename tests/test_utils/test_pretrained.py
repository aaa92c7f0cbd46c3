"""The one weights loader: safetensors and torch files, key prefixes, full training
checkpoints accepted only where a config names pgpsr's own checkpoint, and errors that
name the config key."""
import argparse

import pytest
import torch
from safetensors.torch import save_file

from pgpsr.utils.pretrained import MissingWeightsError, load_weights_file

STATE = {'codec.vae.w': torch.arange(3.0), 'backbone.b': torch.ones(2)}


def test_safetensors_and_torch_files_give_the_same_state(tmp_path):
    save_file(STATE, str(tmp_path / 'w.safetensors'))
    torch.save(dict(state_dict=STATE), tmp_path / 'w.pth')
    for name in ('w.safetensors', 'w.pth'):
        state = load_weights_file(str(tmp_path / name))
        assert state.keys() == STATE.keys()
        assert all(torch.equal(state[k], STATE[k]) for k in STATE)


def test_a_prefix_keeps_and_strips_its_keys_or_names_the_key(tmp_path):
    torch.save(STATE, tmp_path / 'w.pth')
    assert list(load_weights_file(str(tmp_path / 'w.pth'), prefix='codec.vae.')) == ['w']
    with pytest.raises(KeyError, match=r"model.codec.pretrained: .* no weights under 'gen\.'"):
        load_weights_file(str(tmp_path / 'w.pth'), 'model.codec.pretrained', prefix='gen.')


def test_training_checkpoints_only_where_asked_for(tmp_path):
    path = str(tmp_path / 'iter_4.pth')
    torch.save(dict(state_dict=STATE, message_hub=argparse.Namespace(it=4)), path)
    with pytest.raises(ValueError, match='strip_checkpoint.py'):
        load_weights_file(path, 'backbone_pretrained')
    state = load_weights_file(path, 'teacher_ckpt', training_checkpoint=True)
    assert torch.equal(state['backbone.b'], STATE['backbone.b'])


def test_a_missing_file_names_the_config_key(tmp_path):
    with pytest.raises(MissingWeightsError, match='AdcSR.teacher_ckpt: .*never downloads'):
        load_weights_file(str(tmp_path / 'nope.pth'), 'AdcSR.teacher_ckpt')
