"""Float tolerances derived from the computation, never tuned on one machine.

A float sum of ``n`` products computed in any order (blocked, pairwise, FMA: whatever the
CPU's kernels choose) is within ``gamma_n * sum |a_i b_i|`` of the exact value, where
``gamma_n = n u / (1 - n u)`` and ``u`` is the unit roundoff (Higham, "Accuracy and
Stability of Numerical Algorithms", 2nd ed., eq. 3.5). Two computations of the same
exact value are within the sum of their bounds.
"""
import torch


def gamma(n: int, dtype: torch.dtype = torch.float32) -> float:
    u = torch.finfo(dtype).eps / 2
    if n * u >= 1:
        raise ValueError(f'{n} terms: no bound at {dtype} (n u >= 1)')
    return n * u / (1 - n * u)


def dot_bound(n: int, abs_sum, dtype: torch.dtype = torch.float32):
    """Bound on the error of a float sum of ``n`` products whose absolute values add up to
    ``abs_sum`` (a number or a tensor of them, e.g. ``conv2d(|x|, |w|)``)."""
    return gamma(n, dtype) * abs_sum
