import numpy as np

from analysis.core.arrays import either, repeated


def test_repeated_and_either_give_numpys_values_as_one_str_per_word():
    n = 50_000                                      # large enough for numpy to copy the word entry by entry
    condition = np.arange(n) % 3 == 0
    r = repeated("info", n)
    assert r.dtype == object and list(r) == list(np.full(n, "info", dtype=object))
    assert len({id(x) for x in r}) == 1
    e = either(condition, "warn", None)
    assert list(e) == list(np.where(condition, "warn", None))
    assert len({id(x) for x in e[condition]}) == 1 and all(x is None for x in e[~condition])
    two = either(condition, "robust", "knife_edge")
    assert list(two) == list(np.where(condition, "robust", "knife_edge").astype(object))
    assert len({id(x) for x in two}) == 2
    assert either(np.zeros(0, dtype=bool), "a", "b").shape == (0,) and repeated("a", 0).shape == (0,)
