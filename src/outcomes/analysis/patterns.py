"""Distinct covariate patterns of a binary-response design, with their counts.

A logistic likelihood depends on the rows only through the number of responders and
non-responders of each distinct covariate pattern; fits on the patterns with these counts as
frequency weights are the fits on the rows one by one, at the cost of the number of patterns
(e.g. dose levels × visits), not of subjects.
"""

from __future__ import annotations

import numpy as np


def create_patterns(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of (x, y) and how often each occurs.

    Returns
    -------
    tuple of numpy arrays
        ``x`` of the distinct rows, their response (0/1) and their count (float), sorted by
        the columns of x then y.
    """
    rows = np.column_stack([x, y])
    ordered = rows[np.lexsort(rows.T[::-1])]
    first = np.concatenate([[True], np.any(ordered[1:] != ordered[:-1], axis=1)])
    starts = np.flatnonzero(first)
    count = np.diff(np.append(starts, rows.shape[0])).astype(float)
    return ordered[starts, :-1], ordered[starts, -1], count
