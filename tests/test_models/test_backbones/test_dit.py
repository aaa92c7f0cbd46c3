import pytest
import torch

from pgpsr.registry import MODELS
from tests.test_models.test_backbones.block_calls import forward_with_counted_block

CFG = dict(type='DiTDenoiser', in_channels=4, patch_size=2, hidden_size=32, num_heads=2,
           depth=(2, 1, 2))
CFG_BLOCKS = ['encoder.0', 'encoder.1', 'bottleneck.0', 'decoder.0', 'decoder.1']


def _randomise(model):
    # adaLN-zero makes every block an identity at init; give them real weights
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return model


def _inputs(b=2, h=8, w=12):
    g = torch.Generator().manual_seed(1)
    return (torch.randn(b, 4, h, w, generator=g), torch.tensor([10, 500][:b]),
            torch.randn(b, 4, h, w, generator=g))


def test_shapes_and_block_table():
    model = MODELS.build(CFG)
    out = model(*_inputs())
    assert out.shape == (2, 4, 8, 12)
    assert list(model.blocks()) == ['encoder.0', 'encoder.1', 'bottleneck.0', 'decoder.0',
                                    'decoder.1']
    assert [p for p, _ in model.blocks().values()] == ['encoder'] * 2 + ['bottleneck'] + \
        ['decoder'] * 2
    # zero-initialised output layer (DiT): the untrained model predicts zeros
    assert torch.count_nonzero(out) == 0


def test_non_multiple_of_patch_is_rejected():
    model = MODELS.build(CFG)
    with pytest.raises(ValueError, match='patch_size=2'):
        model(torch.randn(1, 4, 7, 8), torch.tensor([1]), torch.randn(1, 4, 7, 8))


def test_drop_block_saves_params_and_roundtrips(tmp_path):
    model = _randomise(MODELS.build(CFG)).eval()
    x = _inputs()
    full = model(*x)
    n_full = sum(p.numel() for p in model.parameters())
    block_params = sum(p.numel() for p in model.blocks()['decoder.0'][1].parameters())
    model.drop_block('decoder.0')
    model.drop_block('encoder.1')
    pruned = model(*x)
    assert not torch.allclose(full, pruned)
    enc_params = sum(p.numel() for p in MODELS.build(CFG).enc_blocks[1].parameters())
    assert sum(p.numel() for p in model.parameters()) == n_full - block_params - enc_params
    arch = model.architecture()
    assert arch['dropped'] == ['decoder.0', 'encoder.1']
    assert [b['kept'] for b in arch['parts']['decoder']] == [False, True]
    # a fresh model from the *original* config rebuilds the pruned one from its state dict
    path = tmp_path / 'pruned.pth'
    torch.save(model.state_dict(), path)
    rebuilt = MODELS.build(CFG).eval()
    rebuilt.load_state_dict(torch.load(path), strict=True)
    assert rebuilt.dropped == ['decoder.0', 'encoder.1']
    assert torch.equal(rebuilt(*x), pruned)


def test_unknown_block_name():
    with pytest.raises(KeyError, match='decoder.7'):
        MODELS.build(CFG).drop_block('decoder.7')


def test_record_blocks_captures_inputs_and_outputs():
    model = _randomise(MODELS.build(CFG))
    store = {}
    with model.record_blocks(store):
        model(*_inputs())
    assert set(store) == set(model.blocks())
    x_in, x_out = store['bottleneck.0'][0]
    assert x_in.shape == x_out.shape == (2, 24, 32)  # 4x6 tokens of width 32
    assert not torch.allclose(x_in, x_out)
    # the hooks are gone afterwards
    store.clear()
    model(*_inputs())
    assert store == {}


def test_grad_checkpointing_gives_same_grads():
    torch.manual_seed(0)
    a = _randomise(MODELS.build(CFG))
    b = _randomise(MODELS.build({**CFG, 'grad_checkpointing': True}))
    b.load_state_dict(a.state_dict())
    x = _inputs()
    for m in (a, b):
        m.train()
        m(*x).square().mean().backward()
    for (n, pa), pb in zip(a.named_parameters(), b.parameters()):
        assert torch.allclose(pa.grad, pb.grad, atol=1e-6), n


def _counted_run(checkpointing, x, t, c):
    """One forward + backward with an adapter-style hook on ``decoder.0`` (removed after
    the forward) and every block recorded during the forward: the hook and every
    recording fire exactly once in the forward. Returns the calls of the hook and of
    ``decoder.0``'s own forward after the backward (recomputation included)."""
    torch.manual_seed(0)  # the same weights with and without checkpointing
    dit = _randomise(MODELS.build({**CFG, 'grad_checkpointing': checkpointing})).train()
    calls, store, out = forward_with_counted_block(dit, 'decoder.0', lambda m: m(x, t, c))
    assert {n: len(v) for n, v in store.items()} == {n: 1 for n in CFG_BLOCKS}, store.keys()
    (out.square().mean() + sum(o.mean() for _, o in store['encoder.0'])).backward()
    return calls, {n: p.grad for n, p in dit.named_parameters()}


def test_grad_checkpointing_keeps_one_forward_hooks_out_of_the_recomputation():
    """The adapter hooks a block for one forward only; backward must not recompute it.
    Checked by counting: under checkpointing the block's forward runs twice (forward and
    recomputation) but the hook once, every block is recorded once, and the gradients
    equal those of the same run without checkpointing."""
    x, t, c = _inputs()
    plain_calls, plain_grads = _counted_run(False, x, t, c)
    calls, grads = _counted_run(True, x, t, c)
    assert plain_calls == dict(hook=1, forward=1)
    assert calls == dict(hook=1, forward=2), calls  # recomputed, the hook not re-run
    for n, g in plain_grads.items():
        assert g is not None and torch.allclose(grads[n], g, atol=1e-6), n
