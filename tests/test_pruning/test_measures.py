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


def test_shape_changing_blocks_use_channel_mean_maps():
    """A UNet unit 32 -> 64 channels at half resolution: compared as channel-mean maps on
    the coarser grid, so Phi is 0 for a scaled copy and Psi compares spatial softmaxes."""
    x = torch.randn(2, 32, 8, 8)
    wider = torch.cat([x, x], 1)[:, :, ::2, ::2] * 3  # same mean map (subsampled), scaled
    pooled = torch.nn.functional.avg_pool2d(x.mean(1, keepdim=True), 2)
    assert torch.allclose(cosine_dissimilarity(x, torch.cat([x, x], 1) * 3),
                          torch.zeros(2), atol=1e-6)
    a = cosine_dissimilarity(x, wider)
    b = 1 - torch.nn.functional.cosine_similarity(
        pooled.flatten(1), wider.mean(1, keepdim=True).flatten(1), dim=1)
    assert torch.allclose(a, b, atol=1e-6)
    kl = kl_channel_softmax(x, wider)
    logp = torch.log_softmax(pooled.flatten(1), 1)
    logq = torch.log_softmax(wider.mean(1, keepdim=True).flatten(1), 1)
    assert torch.allclose(kl, (logp.exp() * (logp - logq)).sum(1), atol=1e-6)
    tokens = kl_channel_softmax(torch.randn(2, 16, 8), torch.randn(2, 4, 8))  # N changes
    assert tokens.shape == (2,) and (tokens >= 0).all()


def _kl_oracle(a, b, axis):
    """scipy: KL(softmax(a) || softmax(b)) along ``axis`` at every position, then the
    mean over positions of each sample."""
    from scipy.special import softmax
    from scipy.stats import entropy
    a, b = a.double().numpy(), b.double().numpy()
    kl = entropy(softmax(a, axis=axis), softmax(b, axis=axis), axis=axis)
    return kl.reshape(kl.shape[0], -1).mean(1)


def test_kl_is_averaged_over_many_positions_like_scipy():
    """Oracle: scipy.special.softmax + scipy.stats.entropy, averaged over the 12
    positions of BxCxHxW and the 7 tokens of BxNxC."""
    import numpy as np
    g = torch.Generator().manual_seed(0)
    for shape, axis in [((2, 5, 3, 4), 1), ((2, 7, 5), -1)]:
        x, y = torch.randn(*shape, generator=g), torch.randn(*shape, generator=g) * 2
        want = _kl_oracle(x, y, axis)
        got = kl_channel_softmax(x, y).double().numpy()
        assert got.shape == (2,) and want.min() > 0.05
        assert np.allclose(got, want, rtol=1e-5, atol=1e-6), (shape, got, want)


def test_cosine_dissimilarity_equals_numpy_on_flattened_samples():
    """Oracle: 1 - a.b / (|a| |b|) in numpy on each flattened sample."""
    import numpy as np
    g = torch.Generator().manual_seed(1)
    for shape in [(3, 5, 3, 4), (3, 7, 5)]:
        x = torch.randn(*shape, generator=g)
        y = x + torch.randn(*shape, generator=g)  # correlated: values well inside (0, 2)
        a, b = x.double().numpy().reshape(3, -1), y.double().numpy().reshape(3, -1)
        want = 1 - (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        got = cosine_dissimilarity(x, y).double().numpy()
        assert np.allclose(got, want, rtol=1e-5, atol=1e-6), (shape, got, want)
