"""The fits in time linear in the rows (mixed model from per-subject sums, GEE in whole-array
passes, logistic and Firth on covariate patterns) against R and against the row-by-row fits."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from outcomes.analysis.activity import analyze_mixed_change
from outcomes.analysis.gee import fit_gee_exchangeable
from outcomes.analysis.lmm import fit_random_intercept
from outcomes.analysis.logistic import has_separation, logistic_regression
from outcomes.analysis.patterns import create_patterns

#: Unbalanced random-intercept data: 8 subjects with 1-5 visits, dose constant per subject.
UNBALANCED = pl.DataFrame(
    {
        "id": [
            s for s, k in zip("ABCDEFGH", [1, 3, 5, 2, 4, 3, 5, 2], strict=True) for _ in range(k)
        ],
        "t": [1.0, 1, 3, 6, 1, 3, 6, 9, 12, 1, 3, 1, 3, 6, 9, 1, 3, 6, 1, 3, 6, 9, 12, 1, 3],
        "dose": [
            d
            for d, k in zip([1, 1, 2, 2, 2, 3, 3, 3], [1, 3, 5, 2, 4, 3, 5, 2], strict=True)
            for _ in range(k)
        ],
        "chg": [
            *[-1.0, 0, -2, -3, -2, -4, -5, -7, -8, 1, -1, -3, -3, -6, -6, -4, -6, -9],
            *[-2.0, -5, -7, -10, -12, -5, -6],
        ],
    }
)


def test_analyze_mixed_change__unbalanced_with_covariate_matches_nlme():
    """R: ``lme(chg ~ t + dose, random = ~ 1 | id, data = d, method = "REML")`` on the data
    above (subjects with 1 to 5 visits): fixed effects, SEs, logLik -38.96410263173, variances
    1.0451409939249 and 0.7959438833889."""
    res = analyze_mixed_change(
        UNBALANCED, response="chg", time="t", subject="id", covariates=["dose"]
    )
    assert res.table["coef"].to_list() == pytest.approx(
        [3.0169449452003, -0.6720437831439, -2.1139420226619], abs=1e-8
    )
    assert res.table["se"].to_list() == pytest.approx(
        [1.24696436908926, 0.05784036832245, 0.54126819106037], abs=1e-8
    )
    assert res.loglik == pytest.approx(-38.96410263173, abs=1e-8)
    assert "tau^2 = 1.045, sigma^2 = 0.7959" in res.note
    assert res.n == 25 and res.converged


def test_fit_random_intercept__between_subject_variance_on_the_boundary():
    """Subject means all equal 1, so the REML estimate of τ² is 0 (boundary): the fit is then
    ordinary least squares, β = mean = 1 and σ² = RSS / (N − p) = 4 / 5."""
    x = np.ones((6, 1))
    fit = fit_random_intercept(x, np.array([0.0, 2, 2, 0, 1, 1]), np.array(list("AABBCC")))
    assert fit.tau2 == 0.0
    assert fit.beta.tolist() == pytest.approx([1.0], abs=1e-12)
    assert fit.sigma2 == pytest.approx(0.8, abs=1e-12)


def test_create_patterns__counts_each_distinct_row_and_response():
    x = np.column_stack([np.ones(6), [2.0, 1, 2, 1, 2, 2]])
    px, py, count = create_patterns(x, np.array([1.0, 0, 0, 0, 1, 1]))
    assert px[:, 1].tolist() == [1.0, 2.0, 2.0]
    assert py.tolist() == [0.0, 0.0, 1.0]
    assert count.tolist() == [2.0, 1.0, 3.0]


def test_has_separation__weighted_patterns_as_rows_one_by_one():
    x = np.column_stack([np.ones(4), [1.0, 2.0, 2.0, 3.0]])
    assert has_separation(x[[0, 3]], np.array([0.0, 1.0]), np.array([5.0, 7.0]))
    # each dose holds a responder and a non-responder: overlap, whatever the counts
    overlap = np.column_stack([np.ones(4), [1.0, 1.0, 2.0, 2.0]])
    assert not has_separation(
        overlap, np.array([0.0, 1.0, 0.0, 1.0]), np.array([3.0, 1.0, 9.0, 2.0])
    )


def _replicated(counts: list[tuple[int, int, int]]) -> pl.DataFrame:
    """Rows of (dose, y) with ``responders`` and ``non-responders`` per dose."""
    dose, y = [], []
    for d, r, n in counts:
        dose += [d] * n
        y += [1] * r + [0] * (n - r)
    return pl.DataFrame({"dose": dose, "y": y})


def test_logistic_regression__replicated_rows_match_glm():
    """R: ``glm(y ~ dose, family = binomial, control = glm.control(epsilon = 1e-14))`` on 90
    rows: dose 1 (3/30), 2 (9/25), 3 (21/35); logLik -49.81750844562."""
    res = logistic_regression(
        _replicated([(1, 3, 30), (2, 9, 25), (3, 21, 35)]),
        response="y",
        covariates=["dose"],
        method="auto",
    )
    assert res.table["coef"].to_list() == pytest.approx([-3.2508319083, 1.240486485584], abs=1e-9)
    assert res.table["se"].to_list() == pytest.approx([0.7752337632375, 0.3190167937587], abs=1e-9)
    assert res.loglik == pytest.approx(-49.81750844562, abs=1e-9)
    assert (res.n, res.n_event) == (90, 33)


def test_logistic_regression__replicated_separated_rows_match_firth_score():
    """Dose 1 (0/10), 2 (4/10), 3 (10/10): quasi-separated, so Firth. R, Newton iterations of
    the modified score X'(y − π + h(½ − π)) on the 30 rows: coef -7.6015802963, 3.626236731085;
    SE 2.90748403126, 1.384662422282; penalised logLik -7.073777858187."""
    res = logistic_regression(
        _replicated([(1, 0, 10), (2, 4, 10), (3, 10, 10)]),
        response="y",
        covariates=["dose"],
        method="auto",
    )
    assert "chosen: separation" in res.method
    assert res.table["coef"].to_list() == pytest.approx([-7.6015802963, 3.626236731085], abs=1e-9)
    assert res.table["se"].to_list() == pytest.approx([2.90748403126, 1.384662422282], abs=1e-9)
    assert res.loglik == pytest.approx(-7.073777858187, abs=1e-9)


def test_fit_gee_exchangeable__equals_statsmodels_gee_on_unequal_clusters():
    """The whole-array GEE gives statsmodels' GEE (loop over subjects) to rounding: 150
    subjects with 1 to 8 visits."""
    import statsmodels.api as sm

    rng = np.random.default_rng(1)
    sizes = rng.integers(1, 9, 150)
    subject = np.repeat([f"S{i:03d}" for i in range(150)], sizes)
    dose = np.repeat(rng.integers(1, 4, 150), sizes).astype(float)
    visit = np.concatenate([np.arange(k) for k in sizes]).astype(float)
    u = np.repeat(rng.normal(0, 1, 150), sizes)
    y = (rng.random(subject.size) < 1 / (1 + np.exp(1 - 0.4 * dose - 0.1 * visit - u))) * 1.0
    x = np.column_stack([np.ones(subject.size), dose, visit])
    model = sm.GEE(
        y, x, groups=subject, family=sm.families.Binomial(), cov_struct=sm.cov_struct.Exchangeable()
    )
    ref = model.fit(maxiter=100, ddof_scale=0, scale="X2")
    fit = fit_gee_exchangeable(x, y, subject)
    assert fit.params == pytest.approx(np.asarray(ref.params), rel=1e-10)
    assert np.sqrt(np.diag(fit.cov_robust)) == pytest.approx(np.asarray(ref.bse), rel=1e-10)
    assert fit.alpha == pytest.approx(float(model.cov_struct.dep_params), rel=1e-10)
    assert fit.converged


def test_fit_gee_exchangeable__one_visit_per_subject_is_not_estimable():
    """No pair of visits within a subject: the exchangeable correlation has no moment."""

    x = np.column_stack([np.ones(6), [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="not estimable"):
        fit_gee_exchangeable(x, y, np.arange(6))
