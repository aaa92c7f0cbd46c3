"""Removal keeps training valid; exact MACs; a pruned checkpoint reloads bit-identically."""
import torch

from pgpsr.pruning import backbone_step_macs, drop_blocks, prune_optimizer
from .conftest import build_model, data_batch


def _dit_block_macs(n_tokens: int, c: int, skip: bool) -> int:
    # qkv + proj + MLP(4x) per token, attention QK^T and AV, adaLN per sample, skip fusion
    return n_tokens * 12 * c * c + 2 * n_tokens ** 2 * c + 6 * c * c + \
        (n_tokens * 2 * c * c if skip else 0)


def test_macs_drop_by_exactly_the_removed_blocks(model):
    before = backbone_step_macs(model, (32, 32))
    drop_blocks(model, ['encoder.0', 'bottleneck.1', 'decoder.2'])
    after = backbone_step_macs(model, (32, 32))
    n = (32 * 4 // 2 // 2) ** 2  # LR 32 -> HR 128 -> unshuffle 64 -> 2x2 patches
    expected = 2 * _dit_block_macs(n, 64, False) + _dit_block_macs(n, 64, True)
    assert before - after == expected
    assert after < 0.75 * before


def test_optimizer_survives_and_loss_recovers():
    model = build_model()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    data = model.data_preprocessor(data_batch(4, 8), True)

    def step():
        opt.zero_grad()
        loss = sum(model(data['inputs'], data['data_samples'], mode='loss').values())
        loss.backward()
        opt.step()
        model.num_train_steps.zero_()  # the same noise every step: a fixed objective
        return float(loss.detach())

    for _ in range(40):
        step()
    drop_blocks(model, ['decoder.0', 'decoder.1'])
    assert prune_optimizer(opt, model) > 0
    assert {id(p) for g in opt.param_groups for p in g['params']} == \
        {id(p) for p in model.parameters()}
    after_prune = step()
    for _ in range(40):
        last = step()
    assert last < 0.8 * after_prune


def test_pruned_state_dict_rebuilds_from_the_original_config_bit_identically(model, tmp_path):
    drop_blocks(model, ['encoder.1', 'decoder.0'])
    torch.save(model.state_dict(), tmp_path / 'p.pth')
    fresh = build_model(randomise=False)
    fresh.load_state_dict(torch.load(tmp_path / 'p.pth', weights_only=False))
    assert fresh.backbone.dropped == ['encoder.1', 'decoder.0']
    lr = torch.rand(1, 3, 12, 20) * 2 - 1
    model.eval()
    fresh.eval()
    assert torch.equal(model.sample(lr, num_steps=2), fresh.sample(lr, num_steps=2))
