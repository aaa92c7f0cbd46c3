"""seeded_global_rng: the seed decides the draws inside, the caller's streams move not."""
import random

import numpy as np
import pytest

from pgpsr.utils.seeding import seeded_global_rng


def draws():
    return np.random.rand(3).tolist(), random.random()


def seed_callers_streams(seed: int):
    """Seed the caller's streams and return what they draw next (then seed them again)."""
    np.random.seed(seed)
    random.seed(seed)
    want = draws()
    np.random.seed(seed)
    random.seed(seed)
    return want


def test_same_seed_same_draws_and_the_callers_streams_continue_untouched():
    want_after = seed_callers_streams(123)
    with seeded_global_rng(7):
        a = draws()
    with seeded_global_rng(7):
        b = draws()
    with seeded_global_rng(8):
        c = draws()
    assert a == b and a[0] != c[0] and a[1] != c[1]
    assert draws() == want_after  # as if the seeded blocks never ran
    np.random.seed(7 % 2 ** 32)
    assert np.random.rand(3).tolist() == a[0]  # numpy's legacy seeding, as before


def test_streams_are_restored_when_the_block_raises():
    want_after = seed_callers_streams(5)
    with pytest.raises(KeyError):
        with seeded_global_rng(1):
            np.random.rand()
            raise KeyError('bad sample')
    assert draws() == want_after


def test_large_seeds_wrap_into_numpys_range():
    with seeded_global_rng(2 ** 32 + 9):
        a = np.random.rand()
    with seeded_global_rng(9):
        b = np.random.rand()
    assert a == b
