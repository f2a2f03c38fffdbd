"""Log-rank and trend tests, checked against R survival::survdiff (numbers typed in)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from outcomes.analysis.logrank import logrank, logrank_trend

DATA = Path(__file__).parent / "data"


def test_logrank__aml_matches_r():
    """R: ``s <- survdiff(Surv(time, status) ~ x, data = aml); s$chisq; s$obs; s$exp``."""
    res = logrank(pl.read_csv(DATA / "aml.csv"), time="time", event="status", group="x")
    assert res.statistic == pytest.approx(3.39638869898, abs=1e-8)
    assert res.df == 1
    assert res.p == pytest.approx(0.0653393220405, abs=1e-8)
    assert res.table["observed"].to_list() == [7.0, 11.0]
    assert res.table["expected"].to_list() == pytest.approx([10.6893359923, 7.3106640077], abs=1e-8)


def test_logrank__veteran_celltype_four_groups_matches_r():
    """R: ``s <- survdiff(Surv(time, status) ~ celltype, data = veteran);
    pchisq(s$chisq, 3, lower.tail = FALSE)``."""
    res = logrank(pl.read_csv(DATA / "veteran.csv"), time="time", event="status", group="celltype")
    assert res.statistic == pytest.approx(25.4037003458, abs=1e-8)
    assert res.df == 3
    assert res.p == pytest.approx(1.27124593901e-05, rel=1e-6)


def _lung_ecog() -> pl.DataFrame:
    return (
        pl.read_csv(DATA / "lung.csv")
        .filter(pl.col("ph.ecog").is_not_null())
        .with_columns((pl.col("status") == 2).cast(pl.Int8).alias("event"))
    )


def test_logrank_trend__lung_ecog_matches_r():
    """R: ``l2 <- lung[!is.na(lung$ph.ecog), ]; s <- survdiff(Surv(time, status == 2) ~ ph.ecog,
    data = l2); w <- 0:3; U <- sum(w * (s$obs - s$exp)); V <- t(w) %*% s$var %*% w; U^2 / V``
    gives 17.8751207625, p 2.35884767413e-05 (the k - 1 df test: s$chisq = 21.9621316825)."""
    res = logrank_trend(_lung_ecog(), time="time", event="event", group="ph.ecog")
    assert res.statistic == pytest.approx(17.8751207625, abs=1e-8)
    assert res.df == 1
    assert res.p == pytest.approx(2.35884767413e-05, rel=1e-6)
    assert res.table["score"].to_list() == [0.0, 1.0, 2.0, 3.0]
    overall = logrank(_lung_ecog(), time="time", event="event", group="ph.ecog")
    assert overall.statistic == pytest.approx(21.9621316825, abs=1e-8)


def test_logrank_trend__scores_shift_invariant():
    """Scores 1..4 give the same statistic as 0..3 (R: w <- 1:4 gives 17.8751207625)."""
    df = _lung_ecog().with_columns((pl.col("ph.ecog") + 1).alias("dose"))
    res = logrank_trend(df, time="time", event="event", group="dose")
    assert res.statistic == pytest.approx(17.8751207625, abs=1e-8)


def test_logrank__degenerate_groups_and_no_events():
    one = pl.DataFrame({"T": [1, 2], "E": [1, 0], "G": ["a", "a"]})
    res = logrank(one, time="T", event="E", group="G")
    assert res.statistic is None and res.note == "fewer than two groups with subjects"
    none = pl.DataFrame({"T": [1, 2, 3], "E": [0, 0, 0], "G": ["a", "b", "b"]})
    res = logrank(none, time="T", event="E", group="G")
    assert res.statistic is None and res.note == "no events: the test is not defined"
    res = logrank_trend(
        none.with_columns(pl.Series("G", [1, 2, 2])), time="T", event="E", group="G"
    )
    assert res.statistic is None and res.p is None


def test_logrank__group_without_events_tied_times():
    """Hand computation: times 1, 1 (a, events), 2 (b, censored), 3 (b, censored).
    At t = 1: n = 4, d = 2, n_a = 2: E_a = 1, V = 2·2·2·2 / (4²·3) = 1/3; chi2 = 1 / (1/3) = 3."""
    df = pl.DataFrame({"T": [1, 1, 2, 3], "E": [1, 1, 0, 0], "G": ["a", "a", "b", "b"]})
    res = logrank(df, time="T", event="E", group="G")
    assert res.statistic == pytest.approx(3.0, abs=1e-12)
    assert res.table["observed"].to_list() == [2.0, 0.0]
