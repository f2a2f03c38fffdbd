"""Which subjects a per-subject figure draws: all of them, or a stated random sample.

A spaghetti plot or a swimmer plot with thousands of subjects is a solid block of ink. Above
``report.figure_max_subjects`` subjects such a figure draws a simple random sample of that many
subjects, without replacement, from the sorted subject ids, with a fixed seed (the same
subjects on every run of the same data); its caption names the sample and the total.
"""

from __future__ import annotations

import numpy as np
import polars as pl

#: Seed of the random sample of subjects drawn in a figure (numpy PCG64).
FIGURE_SAMPLE_SEED = 20260701


def select_figure_subjects(subjects: pl.Series, *, max_subjects: int) -> pl.Series:
    """The subjects a figure draws: every distinct id of ``subjects`` (sorted) when there are
    at most ``max_subjects``, else a random sample of ``max_subjects`` of them (sorted)."""
    every = subjects.drop_nulls().unique().sort()
    if every.len() <= max_subjects:
        return every
    rng = np.random.default_rng(FIGURE_SAMPLE_SEED)
    picked = np.sort(rng.choice(every.len(), size=max_subjects, replace=False))
    return every.gather(picked)


def describe_figure_sample(shown: int, total: int) -> str | None:
    """The caption's sentence on a sample (``None`` when every subject is drawn)."""
    if shown >= total:
        return None
    return (
        f"The figure draws a random sample of {shown} of {total} subjects "
        f"(report.figure_max_subjects; seed {FIGURE_SAMPLE_SEED})."
    )
