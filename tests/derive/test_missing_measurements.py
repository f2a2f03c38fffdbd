"""Property (data-contract §1.6; endpoints.md E-05, E-06, E-31, §16.12): blank PGA values,
SLEDAI items and BILAG grades in random post-baseline assessments of a small trial.

The blanked export validates with warnings only (VAL-012), so the run goes on; the derivation
always completes; every flag that depends on a blanked value is null or equal to its value on
the complete export (a decision taken at both bounds is the true one); the criterion that reads
the blanked value directly is null (E-06) and the score that sums it is null (E-05); nothing
else changes: assessments before the first blank of a subject, and every subject without a
blank, are identical. Derived in-process on the typed tables (no Snakemake run per example).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes import contract as c
from outcomes.configuration import load_config
from outcomes.derive.advisit import create_advisit
from outcomes.derive.medications import create_adcm
from outcomes.derive.params import Criteria, ScoreParams, VisitParams
from outcomes.drugs import MedicationParams
from outcomes.ingest.data_cut import filter_by_data_cut
from outcomes.simulate import simulate_export
from outcomes.validate import validate_export
from outcomes.validate.structure import read_typed_table

CUT = dt.date(2027, 1, 31)
KEY = ["USUBJID", "SRCSEQ"]
#: Criteria that read PGA itself (E-06: not evaluable when it is missing).
PGA_CRITERIA = ("DORPGAFL", "LLC3FL", "SRIPGAFL")
#: Suffixes of the optional bound columns (E-05): they move with the blanks, by definition.
BOUNDS = ("LO", "HI")


@dataclass(frozen=True, repr=False)
class Trial:
    folder: Path
    subjects: pl.DataFrame
    assessments: pl.DataFrame
    adcm: pl.DataFrame
    post: list[int]  # SRCSEQ of post-infusion assessments
    config: dict
    complete: pl.DataFrame


def _advisit(trial: Trial, assessments: pl.DataFrame) -> pl.DataFrame:
    cfg = trial.config
    return (
        create_advisit(
            assessments.lazy(),
            subjects=trial.subjects.lazy(),
            adcm=trial.adcm.lazy(),
            visits=VisitParams.from_config(cfg["visits"]),
            scores=ScoreParams.from_config(cfg["scores"]),
            criteria=Criteria.from_config(cfg["criteria"]),
            medications=MedicationParams.from_config(cfg["medications"]),
        )
        .collect()
        .sort(KEY)
    )


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> Trial:
    folder = tmp_path_factory.mktemp("blanks") / "export"
    simulate_export(subjects=6, seed=7, out=folder)
    cfg = load_config(overrides={"data": {"data_cut": CUT.isoformat()}})

    def typed(table: str) -> pl.DataFrame:
        frame = read_typed_table(folder, table)
        return filter_by_data_cut(frame.lazy(), table=table, data_cut=CUT).collect()

    subjects, assessments = typed("subjects"), typed("assessments")
    adcm = create_adcm(
        typed("medications").lazy(),
        subjects=subjects.lazy(),
        data_cut=CUT,
        params=MedicationParams.from_config(cfg["medications"]),
    ).collect()
    infdt = subjects.select("USUBJID", "INFDT")
    post = (
        assessments.join(infdt, on="USUBJID")
        .filter(pl.col("ASMDT") > pl.col("INFDT"))
        .sort("SRCSEQ")["SRCSEQ"]
        .to_list()
    )
    partial = Trial(folder, subjects, assessments, adcm, post, cfg, pl.DataFrame())
    return Trial(**{**partial.__dict__, "complete": _advisit(partial, assessments)})


COLUMNS = ["PGA", *c.SLEDAI_COLUMNS, *c.BILAG_COLUMNS]


def _blank(assessments: pl.DataFrame, blanks: list[tuple[int, str]]) -> pl.DataFrame:
    exprs = []
    for column in {col for _, col in blanks}:
        rows = [seq for seq, col in blanks if col == column]
        hit = pl.col("SRCSEQ").is_in(rows)
        exprs.append(pl.when(hit).then(None).otherwise(pl.col(column)).alias(column))
    return assessments.with_columns(exprs)


def _null_or_equal(blanked: pl.DataFrame, complete: pl.DataFrame, columns: list[str]) -> None:
    joined = blanked.join(complete, on=KEY, suffix="_C")
    for col in columns:
        bad = joined.filter(pl.col(col).is_not_null() & pl.col(col).ne_missing(pl.col(f"{col}_C")))
        assert bad.is_empty(), (col, bad.select(*KEY, col, f"{col}_C"))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_blank_measurements__not_evaluable_or_decided_by_bounds(trial: Trial, data):
    blanks = data.draw(
        st.lists(
            st.tuples(st.sampled_from(trial.post), st.sampled_from(COLUMNS)),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    out = _advisit(trial, _blank(trial.assessments, blanks))
    complete = trial.complete
    assert out.select(KEY).equals(complete.select(KEY))
    # flags and scores: null (not evaluable) or the value of the complete export
    checked = [
        n
        for n, dtype in complete.schema.items()
        if n not in KEY
        and n not in COLUMNS
        and not n.endswith(BOUNDS)
        and (dtype == pl.Boolean or dtype.is_numeric())
    ]
    _null_or_equal(out, complete, checked)
    # what reads the blanked value directly is not evaluable
    by_row = out.join(pl.DataFrame(blanks, schema=["SRCSEQ", "COL"], orient="row"), on="SRCSEQ")
    for seq, col in blanks:
        row = by_row.filter((pl.col("SRCSEQ") == seq) & (pl.col("COL") == col))
        if col == "PGA":
            assert row.select(PGA_CRITERIA).null_count().row(0) == (1, 1, 1)
        elif col in c.SLEDAI_COLUMNS:
            assert row["SLEDAI2K"].to_list() == [None]
        else:
            assert row["BILAGSC"].to_list() == [None]
    # nothing else changes: subjects without a blank, and assessments before the first blank
    first = (
        trial.assessments.filter(pl.col("SRCSEQ").is_in([s for s, _ in blanks]))
        .group_by("USUBJID")
        .agg(pl.col("ASMDT").min().alias("_FIRST"))
    )
    untouched = (
        out.join(first, on="USUBJID", how="left")
        .filter(pl.col("_FIRST").is_null() | (pl.col("ADT") < pl.col("_FIRST")))
        .drop("_FIRST")
    )
    expected = complete.join(untouched.select(KEY), on=KEY, how="semi")
    assert untouched.equals(expected)


def test_blank_measurements__validate_with_warnings_only(trial: Trial, tmp_path: Path):
    """The blanked export is analysed: VAL-012 warnings, no ERROR, nothing excluded (§1.6)."""
    import shutil

    folder = tmp_path / "export"
    shutil.copytree(trial.folder, folder)
    path = folder / "assessments.csv"
    raw = pl.read_csv(path, infer_schema=False).with_row_index("_R", offset=1)
    seq = trial.post[:3]
    blanked = raw.with_columns(
        pl.when(pl.col("_R") == seq[0]).then(None).otherwise(pl.col("PGA")).alias("PGA"),
        pl.when(pl.col("_R") == seq[1])
        .then(None)
        .otherwise(pl.col("SLEDAI_ARTHRITIS"))
        .alias("SLEDAI_ARTHRITIS"),
        pl.when(pl.col("_R") == seq[2])
        .then(None)
        .otherwise(pl.col("BILAG_RENAL"))
        .alias("BILAG_RENAL"),
    )
    blanked.drop("_R").write_csv(path)
    before = validate_export(trial.folder, config=trial.config, data_cut=CUT)
    report = validate_export(folder, config=trial.config, data_cut=CUT)
    keys = ["RULE", "TABLE", "USUBJID", "ROW", "COLUMN"]
    new = report.issues.join(before.issues, on=keys, how="anti", nulls_equal=True)
    assert new.select("RULE", "SEVERITY", "ROW", "COLUMN").sort("ROW").rows() == [
        ("VAL-012", "WARNING", seq[0], "PGA"),
        ("VAL-012", "WARNING", seq[1], "SLEDAI_ARTHRITIS"),
        ("VAL-012", "WARNING", seq[2], "BILAG_RENAL"),
    ]
    assert report.excluded.height == before.excluded.height
