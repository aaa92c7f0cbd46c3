"""The one MAC counter: convolutions, matmuls and CPU attention counted exactly."""
import torch
from torch import nn

from pgpsr.utils.op_counter import count_macs


def test_conv_and_linear_macs_are_exact():
    conv, lin = nn.Conv2d(3, 8, 3, padding=1), nn.Linear(16, 4)
    x, v = torch.randn(2, 3, 5, 7), torch.randn(6, 16)
    assert count_macs(lambda: conv(x)) == 2 * 5 * 7 * 8 * 3 * 9
    assert count_macs(lambda: lin(v)) == 6 * 16 * 4


def test_cpu_attention_is_not_free():
    q = torch.randn(1, 2, 10, 8)  # batch, heads, tokens, dim
    macs = count_macs(lambda: nn.functional.scaled_dot_product_attention(q, q, q))
    assert macs == 2 * (2 * 10 * 10 * 8)  # q @ k^T and attn @ v, per head
