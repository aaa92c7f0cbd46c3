"""strip_checkpoint: the inference copy keeps the weights (raw, EMA, or a prefix), the
provenance, nothing else; misuse is refused with the reason."""
import argparse
import hashlib
import io

import pytest
import torch

from pgpsr.converters.checkpoints import strip_checkpoint


@pytest.fixture
def ckpt(tmp_path):
    path = tmp_path / 'iter_8.pth'
    state = {'generator.w': torch.ones(2), 'teacher.w': torch.zeros(2)}
    torch.save(dict(state_dict=state, meta=dict(iter=8), optimizer=dict(state={}),
                    message_hub=argparse.Namespace(x=1),
                    ema_state_dict={'steps': torch.tensor(3), 'module.generator.w':
                                    torch.full((2,), 7.0)}), path)
    return path


def test_keeps_weights_and_provenance_only(ckpt, tmp_path):
    out = tmp_path / 'out.pth'
    strip_checkpoint(str(ckpt), str(out), keep=['generator.'])
    got = torch.load(out, weights_only=True)
    assert set(got) == {'state_dict', 'meta'} and list(got['state_dict']) == ['generator.w']
    buf = io.BytesIO()
    torch.save(got['state_dict'], buf)
    assert got['meta']['weights_sha256'] == hashlib.sha256(buf.getvalue()).hexdigest()
    assert got['meta']['iter'] == 8 and got['meta']['source'] == 'iter_8.pth'


def test_ema_weights_replace_the_raw_ones(ckpt, tmp_path):
    strip_checkpoint(str(ckpt), str(tmp_path / 'ema.pth'), ema=True)
    state = torch.load(tmp_path / 'ema.pth', weights_only=True)['state_dict']
    assert list(state) == ['generator.w'] and state['generator.w'][0] == 7


def test_misuse_is_refused(ckpt, tmp_path):
    with pytest.raises(ValueError, match='must differ'):
        strip_checkpoint(str(ckpt), str(ckpt))
    with pytest.raises(ValueError, match="no weights under \\['student.'\\]"):
        strip_checkpoint(str(ckpt), str(tmp_path / 'x.pth'), keep=['student.'])
    assert not (tmp_path / 'x.pth').exists() and not (tmp_path / 'x.pth.part').exists()
