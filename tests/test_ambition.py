"""Ambition among plans (analysis/derive/ambition.py): percentiles, one vote per plan, the family and all-indicator
fallbacks, new entries a year only among plans of the same level and unit, too few plans and leave-one-plan-out,
each computed by hand on a small corpus (the example of docs/methods.md)."""
import numpy as np
import pandas as pd
import pytest

from analysis.derive import ambition as A

# plan, indicator, family, metric, pace, level, unit, years
ROWS = [("A", "x", "f", "cagr", 13.0, "city", "家", 5),
        ("B", "x", "f", "cagr", 10.0, "city", "家", 5), ("B", "x", "f", "cagr", 14.0, "city", "家", 4),  # B: 14
        ("C", "x", "f", "cagr", 8.0, "city", "家", 3),
        ("D", "x", "f", "cagr", 12.0, "city", "家", 6),
        ("E", "x", "f", "cagr", 20.0, "city", "家", 5),
        ("F", "x", "f", "cagr", 90.0, "city", "家", 12),        # twelve years: not a similar window of five
        ("G", "x", "f", "pp_per_year", 99.0, "city", "%", 5),   # pp/yr is never set against %/yr
        ("A", "y", "f", "cagr", 30.0, "city", "家", 5),
        ("H", "z", "g", "cagr", 15.0, "city", "家", 5),         # z and g: no other plan; all %/yr steps
        # new entries a year: only the same level and unit
        ("A", "w", "h", "new_per_year", 3.0, "district", "家", 5),
        ("J", "w", "h", "new_per_year", 1.0, "district", "家", 5),
        ("K", "w", "h", "new_per_year", 2.0, "district", "家", 5),
        ("L", "w", "h", "new_per_year", 9.0, "city", "家", 5),       # a city: another level
        ("M", "w", "h", "new_per_year", 2.0, "district", "个", 5)]   # another unit


def kinds(rows=ROWS):
    return A.kind_of([r[3] for r in rows], [r[5] for r in rows], [r[6] for r in rows])


def corpus():
    return A.corpus([r[0] for r in ROWS], [r[1] for r in ROWS], [r[2] for r in ROWS], kinds(), [r[4] for r in ROWS],
                    [r[7] for r in ROWS])


def one(i, min_plans=3, apart=4, info=90.0):
    src, ind, fam, _, pace, _, _, years = ROWS[i]
    return A.judge_step(corpus(), src, ind, fam, kinds()[i], years, pace, min_plans, apart, info)


def test_the_kind_says_what_may_be_compared():
    assert list(kinds()[[0, 7, 10, 13, 14]]) == ["pct", "pp", "new district 家", "new city 家", "new district 个"]


def test_percentile_by_hand_with_one_vote_per_plan():
    r = one(0)
    # others of x, %/yr, 1–9 years: B (max 10, 14 → 14), C 8, D 12, E 20; F (12 years) and G (pp) left out
    assert r["ambition_scope"] == "indicator" and r["ambition_n"] == 4        # not 5: B has one vote
    assert r["ambition_percentile"] == pytest.approx(50.0)                   # C 8 and D 12 at or below 13: 2 of 4
    assert r["ambition_max"] == 20.0 and r["ambition_max_plan"] == "E"
    # above the 90th percentile of 4 plans needs all 4 at or below: the 4th vote, 20
    assert r["ambition_threshold"] == 20.0


def test_the_family_stands_in_when_the_indicator_has_too_few_plans():
    r = one(8)
    # y: no other plan; family f (%/yr, similar windows): B 14, C 8, D 12, E 20; 30 %/yr is above all four
    assert r["ambition_scope"] == "family" and r["ambition_n"] == 4
    assert r["ambition_percentile"] == 100.0


def test_every_indicator_measured_the_same_way_stands_in_last():
    r = one(9)
    # z, family g: no other plan; every other plan's fastest %/yr step over 1–9 years: A 30 (y), B 14, C 8, D 12,
    # E 20; F (12 years), G (pp/yr) and the new entries of J, K, L, M are not read: 3 of 5 at or below 15
    assert r["ambition_scope"] == "all" and r["ambition_n"] == 5
    assert r["ambition_percentile"] == pytest.approx(60.0)
    assert r["ambition_max"] == 30.0 and r["ambition_max_plan"] == "A"
    assert r["ambition_threshold"] == 30.0                     # m = ⌊5 × 0.9⌋ + 1 = 5: the fastest vote
    # a share's step is read only against pp/yr steps: G's is the only other one
    assert one(7)["ambition_scope"] is None and one(7)["ambition_n"] == 0


def test_new_entries_a_year_only_among_plans_of_the_same_level_and_unit():
    r = one(10)
    # A's 3 new 家 a year as a district: J 1 and K 2 (districts, 家); L (a city) and M (个) are not read; never `all`
    assert r["ambition_scope"] is None and r["ambition_n"] == 2
    r = one(10, min_plans=2)
    assert r["ambition_scope"] == "indicator" and r["ambition_n"] == 2 and r["ambition_percentile"] == 100.0
    assert r["ambition_max"] == 2.0 and r["ambition_max_plan"] == "K"          # increments, not rates: not L's 9
    r = one(13, min_plans=1)                      # L, the city: no other city adds 家 of w, and no `all` scope
    assert r["ambition_scope"] is None and r["ambition_n"] == 0


def test_too_few_plans_is_not_judged():
    # A's x: 4 other plans of x and of f; of all %/yr steps over 1–9 years B, C, D, E, H (5; A's own y never)
    assert one(0, min_plans=5)["ambition_scope"] == "all" and one(0, min_plans=5)["ambition_n"] == 5
    assert one(0, min_plans=6)["ambition_scope"] is None and one(0, min_plans=6)["ambition_n"] == 4
    # over exactly five years: B and E of x and f (2), B, E and H of all (3)
    assert one(0, apart=0)["ambition_scope"] == "all" and one(0, apart=0)["ambition_n"] == 3
    assert one(0, apart=0, min_plans=4)["ambition_scope"] is None


def test_the_grouped_judge_is_judge_step_over_every_step():
    c = corpus()
    steps = A.steps([r[0] for r in ROWS], [r[1] for r in ROWS], [r[2] for r in ROWS], kinds(),
                    [r[4] for r in ROWS[:-1]] + [np.nan], [r[7] for r in ROWS])
    for min_plans, apart in ((3, 4), (2, 4), (1, 0), (5, 4)):
        engine = A.judge(c, steps, min_plans, apart, 90.0)
        plain = pd.DataFrame([A.judge_step(c, s.source_id, s.indicator_id, s.family, s.kind, s.years, s.rate,
                                           min_plans, apart, 90.0) for s in steps.itertuples()])

        def same(f):
            return f[A.COLUMNS].astype(object).where(f[A.COLUMNS].notna(), None)
        pd.testing.assert_frame_equal(same(engine), same(plain), check_dtype=False)


@pytest.mark.parametrize("votes,pace,expected", [
    ([1, 2, 3, 4], 5, "robust"),        # 4 of 4; without any one: 3 of 3 = 100 > 90, and 3 plans are enough
    ([1, 2, 3], 5, "knife_edge"),       # 3 of 3, but 2 plans left is fewer than 3
    (list(range(1, 12)), 10.5, "knife_edge"),   # 10 of 11 = 90.9 > 90; without plan 1: 9 of 10 = 90, not above
    (list(range(1, 12)), 12, "robust"),         # 11 of 11; without any one: 10 of 10
])
def test_leave_one_plan_out_by_hand_and_by_brute_force(votes, pace, expected):
    n = len(votes)
    pct = 100.0 * sum(v <= pace for v in votes) / n
    assert pct > 90
    assert A.lopo([pct], [n], 3, 90.0)[0] == expected
    # brute force: drop each plan, recompute
    stands = all(n - 1 >= 3 and 100.0 * sum(v <= pace for j, v in enumerate(votes) if j != k) / (n - 1) > 90
                 for k in range(n))
    assert (expected == "robust") == stands
