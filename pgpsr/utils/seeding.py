"""Code run under a seeded global RNG, the caller's streams restored afterwards.

Per-sample pipelines draw from numpy's and Python's global streams (mmagic's transforms
do, and the degradation steps draw their own generators from numpy's). A seed derived
from the sample decides what they draw, and nobody else's stream moves: the dataset's
pairs, the synthetic test pairs and the held-out LR all come from here.
"""
import random
from contextlib import contextmanager

import numpy as np


@contextmanager
def seeded_global_rng(seed: int):
    """Seed numpy's and Python's global streams with ``seed`` inside the block."""
    np_state, py_state = np.random.get_state(), random.getstate()
    np.random.seed(seed % (2 ** 32))
    random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
