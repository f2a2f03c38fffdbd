"""A model that cannot be fitted becomes a note in its table, never a crash of the step."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from outcomes.analysis.results import fit_or_note
from outcomes.analysis.survival_tables import _cox
from outcomes.errors import InputDataError


class _Fitted:
    note = "Firth penalty"


def test_fit_or_note__result_with_its_note_and_warnings():
    def fit() -> _Fitted:
        warnings.warn("did not converge", stacklevel=1)
        return _Fitted()

    res, note = fit_or_note(fit)
    assert isinstance(res, _Fitted)
    assert note == "Firth penalty; did not converge"


def test_fit_or_note__data_and_numerical_failures_are_notes():
    def bad_data() -> _Fitted:
        raise InputDataError("no events")

    def singular() -> _Fitted:
        raise np.linalg.LinAlgError("Singular matrix")

    assert fit_or_note(bad_data) == (None, "not fitted: no events")
    assert fit_or_note(singular) == (None, "not fitted: Singular matrix")


def test_cox_table__singular_information_matrix_is_a_note():
    """One event, censored subjects on both dose levels: the information matrix is singular."""
    data = pl.DataFrame({"AVAL": [1.0, 2, 3, 4], "EVENT": [0, 0, 1, 0], "DOSELVLN": [1, 1, 2, 2]})
    out = _cox(data, "TTDORIS", ["breslow", "efron"], 0.95)
    assert out.select("term", "method", "note", "PARAMCD").rows() == [
        ("DOSELVLN", "Cox PH model, breslow ties", "not fitted: Singular matrix", "TTDORIS"),
        ("DOSELVLN", "Cox PH model, efron ties", "not fitted: Singular matrix", "TTDORIS"),
    ]
