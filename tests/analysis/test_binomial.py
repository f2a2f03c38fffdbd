"""Proportions with exact and Wilson intervals and the Cochran–Armitage test, checked against R."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.analysis.binomial import binomial_ci, cochran_armitage, summarize_proportions
from outcomes.errors import InputDataError


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [
        (0, 10, 0.0, 0.308497107819),
        (3, 10, 0.0667395111777, 0.6524528500600),
        (10, 10, 0.691502892181, 1.0),
        (7, 48, 0.0607044693666, 0.2776383400220),
        (1, 1, 0.025, 1.0),
    ],
)
def test_binomial_ci__exact_matches_r(x, n, lower, upper):
    """R: ``binom.test(x, n)$conf.int``."""
    est, lo, hi = binomial_ci(x, n, method="exact")
    assert est == x / n
    assert lo == pytest.approx(lower, abs=1e-10)
    assert hi == pytest.approx(upper, abs=1e-10)


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [
        (0, 10, 0.0, 0.277532799863),
        (3, 10, 0.107791267406, 0.603221852539),
        (10, 10, 0.722467200137, 1.0),
        (7, 48, 0.072482493266, 0.271671765247),
        (1, 1, 0.206549314377, 1.0),
    ],
)
def test_binomial_ci__wilson_matches_r(x, n, lower, upper):
    """R: ``prop.test(x, n, correct = FALSE)$conf.int``."""
    _, lo, hi = binomial_ci(x, n, method="wilson")
    assert lo == pytest.approx(lower, abs=1e-10)
    assert hi == pytest.approx(upper, abs=1e-10)


def test_binomial_ci__level_90_matches_r():
    """R: ``binom.test(3, 10, conf.level = 0.9)$conf.int``; ``prop.test(3, 10, correct = FALSE,
    conf.level = 0.9)$conf.int``."""
    assert binomial_ci(3, 10, method="exact", conf_level=0.9)[1:] == pytest.approx(
        (0.0872644339142, 0.6066242161054), abs=1e-10
    )
    assert binomial_ci(3, 10, method="wilson", conf_level=0.9)[1:] == pytest.approx(
        (0.126876583903, 0.558300204130), abs=1e-10
    )


def test_binomial_ci__empty_group_and_bad_input():
    assert binomial_ci(0, 0, method="exact") == (None, None, None)
    with pytest.raises(InputDataError, match="0 <= successes <= n"):
        binomial_ci(4, 3, method="exact")
    with pytest.raises(InputDataError, match="method must be"):
        binomial_ci(1, 3, method="wald")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("x", "n", "chisq", "p"),
    [
        ([15, 10, 8], [20, 20, 20], 4.9494949494949489, 0.026098291541307068),
        ([2, 5, 9], [16, 16, 16], 6.890625, 0.0086648967260251272),
        ([0, 3, 16], [16, 16, 16], 33.451905626134291, 7.3048169200191028e-09),
        ([83, 90, 129, 70], [86, 93, 136, 82], 8.2249222851977102, 0.004131897477641487),
        ([1, 3, 6], [8, 8, 8], 6.4285714285714244, 0.011229886652916703),
        ([2, 2, 5, 7], [10, 9, 11, 10], 6.1664165416041357, 0.013019807423347411),
    ],
)
def test_cochran_armitage__matches_r_prop_trend_test(x, n, chisq, p):
    """R 4.2.2: ``prop.trend.test(x, n)`` (default scores 1..k), e.g.
    ``prop.trend.test(c(1, 3, 6), c(8, 8, 8))`` gives X-squared = 6.4285714285714244 (45/7 by
    hand), p = 0.011229886652916703; ``prop.trend.test(c(2, 2, 5, 7), c(10, 9, 11, 10))`` gives
    6.1664165416041357, p = 0.013019807423347411."""
    res = cochran_armitage(x, n, scores=list(range(1, len(x) + 1)))
    assert res.statistic == pytest.approx(chisq, rel=1e-10)
    assert res.p == pytest.approx(p, rel=1e-10)
    assert res.df == 1


@pytest.mark.parametrize(
    ("x", "n", "scores", "chisq", "p"),
    [
        ([1, 3, 6], [8, 8, 8], [1, 2, 4], 6.4775510204081579, 0.010924540190823277),
        ([2, 2, 5, 7], [10, 9, 11, 10], [0, 1, 3, 6], 6.6386083052749711, 0.009979186111572837),
    ],
)
def test_cochran_armitage__unequal_scores_match_r(x, n, scores, chisq, p):
    """R 4.2.2: ``prop.trend.test(c(1, 3, 6), c(8, 8, 8), score = c(1, 2, 4))`` gives
    X-squared = 6.4775510204081579, p = 0.010924540190823277;
    ``prop.trend.test(c(2, 2, 5, 7), c(10, 9, 11, 10), score = c(0, 1, 3, 6))`` gives
    6.6386083052749711, p = 0.009979186111572837."""
    res = cochran_armitage(x, n, scores=scores)
    assert res.statistic == pytest.approx(chisq, rel=1e-10)
    assert res.p == pytest.approx(p, rel=1e-10)
    assert res.df == 1


def test_cochran_armitage__empty_group_is_dropped_as_in_r():
    """R 4.2.2: ``prop.trend.test(c(1, 0, 3), c(4, 0, 4))`` (the empty middle group gives
    freq NaN and is dropped by lm) and ``prop.trend.test(c(1, 3), c(4, 4), score = c(1, 3))``
    both give X-squared = 2.0000000000000004, p = 0.15729920705028447."""
    res = cochran_armitage([1, 0, 3], [4, 0, 4], scores=[1, 2, 3])
    assert res.statistic == pytest.approx(2.0000000000000004, rel=1e-10)
    assert res.p == pytest.approx(0.15729920705028447, rel=1e-10)
    assert res.table["n"].to_list() == [4, 0, 4]


def test_cochran_armitage__all_responders_one_group_and_bad_lengths():
    res = cochran_armitage([5, 5], [5, 5], scores=[1, 2])
    assert res.statistic is None and res.p is None and "all or no responders" in res.note
    res = cochran_armitage([0, 0, 0], [3, 4, 5], scores=[1, 2, 3])
    assert res.statistic is None and "all or no responders" in res.note
    assert cochran_armitage([1], [4], scores=[1]).note == "fewer than two groups with subjects"
    with pytest.raises(InputDataError, match="equal lengths"):
        cochran_armitage([1, 2], [4, 4], scores=[1, 2, 3])


def test_summarize_proportions__missing_excluded_and_full_response():
    df = pl.DataFrame(
        {
            "DOSELVL": ["DL1", "DL1", "DL1", "DL2", "DL2"],
            "RESP": [True, False, None, True, True],  # DL1: 1/2 with one missing; DL2: 100 %
        }
    )
    out = summarize_proportions(df, response="RESP", by=["DOSELVL"], method="exact")
    assert out["n"].to_list() == [2, 2]
    assert out["responders"].to_list() == [1, 2]
    assert out["n_missing"].to_list() == [1, 0]
    assert out["estimate"].to_list() == [0.5, 1.0]
    assert out["upper"].to_list()[1] == 1.0
    assert out["lower"].to_list()[1] == pytest.approx(0.158113883008, abs=1e-10)  # binom.test(2,2)
    assert out["method"][0] == "Clopper-Pearson exact 95% CI"
