"""Phi and Psi against hand-computed values."""
import math

import torch

from pgpsr.pruning import cosine_dissimilarity, kl_channel_softmax


def test_cosine_dissimilarity_values():
    x = torch.randn(3, 4, 5, 5)
    assert torch.allclose(cosine_dissimilarity(x, x), torch.zeros(3), atol=1e-6)
    assert torch.allclose(cosine_dissimilarity(x, -x), torch.full((3,), 2.0), atol=1e-6)
    a, b = torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]])
    assert math.isclose(float(cosine_dissimilarity(a, b)), 1 - 1 / math.sqrt(2), rel_tol=1e-6)


def test_kl_of_channel_softmax_values_and_axes():
    # one position, two channels: softmax([0, 0]) = (.5, .5); softmax([log 3, 0]) = (.75, .25)
    p = torch.zeros(1, 2, 1, 1)
    q = torch.tensor([math.log(3.0), 0.0]).view(1, 2, 1, 1)
    expected = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    assert math.isclose(float(kl_channel_softmax(p, q)), expected, rel_tol=1e-5)
    # tokens (B, N, C): channels are the last axis; same numbers
    assert math.isclose(float(kl_channel_softmax(p.view(1, 1, 2), q.view(1, 1, 2))),
                        expected, rel_tol=1e-5)
    x, y = torch.randn(2, 8, 6), torch.randn(2, 8, 6)
    assert (kl_channel_softmax(x, y) >= 0).all() and torch.allclose(
        kl_channel_softmax(x, x), torch.zeros(2), atol=1e-6)
