"""Property (data-contract §1.6; endpoints.md E-05, E-06, E-31, §16.12): blank PGA values,
SLEDAI items and BILAG grades in random post-baseline assessments of a small trial.

The blanked export validates with warnings only (VAL-012), so the run goes on. For each of 200
random blank patterns the per-subject rules of the workflow run in-process on the validated
tables, exactly as ``outcomes run`` runs them (medications, events, advisit, adsl, adrs, adepi,
adtte, adae; :func:`outcomes.steps.shard.run_shard`), and always complete. In ``advisit`` every
flag and score that depends on a blanked value is null or equal to its value on the complete
export (a decision taken at both bounds is the true one); the criterion that reads the blanked
value directly is null (E-06) and the score that sums it is null (E-05). Nothing else changes:
in every dataset, the rows of subjects without a blank, and the rows dated before a subject's
first blank, are identical to those of the complete export. ``test_workflow_errors`` runs the
whole workflow (``outcomes run``) on a blanked export.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes import contract as c
from outcomes.configuration import load_config
from outcomes.simulate import simulate_export
from outcomes.steps import StepIO, load_step
from outcomes.steps.shard import DATASETS, run_shard
from outcomes.validate import validate_export

CUT = dt.date(2027, 1, 31)
KEY = ["USUBJID", "SRCSEQ"]
#: Criteria that read PGA itself (E-06: not evaluable when it is missing).
PGA_CRITERIA = ("DORPGAFL", "LLC3FL", "SRIPGAFL")
#: Suffixes of the optional bound columns (E-05): they move with the blanks, by definition.
BOUNDS = ("LO", "HI")
#: The date of each dataset's row: a row dated before the subject's first blank cannot depend
#: on it. A row of adrs at a scheduled visit is dated by the upper day of the visit's window
#: (maintenance, confirmation and time in LLDAS are "through that visit"); OVERALL rows
#: summarise the whole follow-up (no date).
ROW_DATE: dict[str, pl.Expr] = {
    "adam/advisit": pl.col("ADT"),
    "derived/events": pl.col("EVTDT"),
    "adam/adrs": pl.col("_UPPERDT"),
    "adam/adtte": pl.col("ADT"),
    "adam/adepi": pl.col("ENDDT"),
}
#: Datasets compared by key on the rows the complete export dates before the first blank: a
#: censored time or episode is dated by the last evaluable assessment, which a later blank
#: moves earlier.
DATED_BY_COMPLETE = {
    "adam/adtte": ["USUBJID", "PARAMCD"],
    "adam/adepi": ["USUBJID", "PARAMCD", "EPISODE"],
}


@dataclass(frozen=True, repr=False)
class Trial:
    folder: Path  # the export
    run: Path  # the complete run: validated/, derived/, adam/
    assessments: pl.DataFrame  # validated assessments
    post: list[int]  # SRCSEQ of post-infusion assessments
    config: dict

    def dataset(self, name: str, run: Path | None = None) -> pl.DataFrame:
        frame = pl.read_parquet((run or self.run) / f"{name}.parquet")
        if name != "adam/adrs":
            return frame
        windows = pl.DataFrame(self.config["visits"]["windows"]).select(
            pl.col("label").alias("AVISIT"), "upper_day"
        )
        infusion = pl.read_parquet(self.run / "validated" / "subjects.parquet")
        return (
            frame.join(windows, on="AVISIT", how="left")
            .join(infusion.select("USUBJID", "INFDT"), on="USUBJID", how="left")
            .with_columns(
                (pl.col("INFDT") + pl.duration(days=pl.col("upper_day"))).alias("_UPPERDT")
            )
            .drop("upper_day", "INFDT")
        )


def _validated(export: Path, run: Path, config: dict) -> None:
    """``validate_export`` and ``create_validated_tables`` as the workflow runs them."""
    issues = run / "validation" / "issues.csv"
    issues.parent.mkdir(parents=True)
    load_step("validate_export")(
        StepIO({}, {"issues": str(issues)}, {"config": config, "export": str(export)}, "v.log")
    )
    (run / "validated").mkdir()
    load_step("create_validated_tables")(
        StepIO(
            {"issues": str(issues), "excluded": str(issues.with_name("excluded.csv"))},
            {t: str(run / "validated" / f"{t}.parquet") for t in c.TABLES},
            {"export": str(export), "data_cut": CUT.isoformat(), "on_error": "continue"},
            str(run / "ingest.log"),
        )
    )


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> Trial:
    root = tmp_path_factory.mktemp("blanks")
    folder, run = root / "export", root / "run"
    simulate_export(subjects=6, seed=7, out=folder)
    cfg = load_config(overrides={"data": {"data_cut": CUT.isoformat()}})
    _validated(folder, run, cfg)
    run_shard(run, config=cfg)
    assessments = pl.read_parquet(run / "validated" / "assessments.parquet")
    infdt = pl.read_parquet(run / "validated" / "subjects.parquet").select("USUBJID", "INFDT")
    post = (
        assessments.join(infdt, on="USUBJID")
        .filter(pl.col("ASMDT") > pl.col("INFDT"))
        .sort("SRCSEQ")["SRCSEQ"]
        .to_list()
    )
    return Trial(folder, run, assessments, post, cfg)


def _derive_blanked(trial: Trial, blanks: list[tuple[int, str]], run: Path) -> None:
    """The per-subject rules on the validated tables with ``blanks`` applied, in ``run``."""
    shutil.copytree(trial.run / "validated", run / "validated")
    _blank(trial.assessments, blanks).write_parquet(run / "validated" / "assessments.parquet")
    run_shard(run, config=trial.config)


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


def _first_blank(assessments: pl.DataFrame, blanks: list[tuple[int, str]]) -> pl.DataFrame:
    """Per subject with a blank: the date of its first blanked assessment (``_FIRST``)."""
    return (
        assessments.filter(pl.col("SRCSEQ").is_in([s for s, _ in blanks]))
        .group_by("USUBJID")
        .agg(pl.col("ASMDT").min().alias("_FIRST"))
    )


def _untouched(frame: pl.DataFrame, first: pl.DataFrame, date: pl.Expr) -> pl.DataFrame:
    """The rows that cannot depend on a blank: subjects without one, rows dated before it."""
    return (
        frame.join(first, on="USUBJID", how="left")
        .filter(pl.col("_FIRST").is_null() | (date < pl.col("_FIRST")).fill_null(False))
        .drop("_FIRST")
    )


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


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
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp)
        _derive_blanked(trial, blanks, run)  # completes: every per-subject rule ran
        out = {name: trial.dataset(name, run) for name in DATASETS}
    complete = {name: trial.dataset(name) for name in DATASETS}
    advisit, full = out["adam/advisit"].sort(KEY), complete["adam/advisit"].sort(KEY)
    assert advisit.select(KEY).equals(full.select(KEY))
    # flags and scores: null (not evaluable) or the value of the complete export
    checked = [
        n
        for n, dtype in full.schema.items()
        if n not in KEY
        and n not in COLUMNS
        and not n.endswith(BOUNDS)
        and (dtype == pl.Boolean or dtype.is_numeric())
    ]
    _null_or_equal(advisit, full, checked)
    # what reads the blanked value directly is not evaluable
    by_row = advisit.join(pl.DataFrame(blanks, schema=["SRCSEQ", "COL"], orient="row"), on="SRCSEQ")
    for seq, col in blanks:
        row = by_row.filter((pl.col("SRCSEQ") == seq) & (pl.col("COL") == col))
        if col == "PGA":
            assert row.select(PGA_CRITERIA).null_count().row(0) == (1, 1, 1)
        elif col in c.SLEDAI_COLUMNS:
            assert row["SLEDAI2K"].to_list() == [None]
        else:
            assert row["BILAGSC"].to_list() == [None]
    # nothing else changes: subjects without a blank, and rows dated before the first blank
    first = _first_blank(trial.assessments, blanks)
    for name, date in ROW_DATE.items():
        expected = _sorted(_untouched(complete[name], first, date))
        if name in DATED_BY_COMPLETE:
            got = _sorted(out[name].join(expected, on=DATED_BY_COMPLETE[name], how="semi"))
        else:
            got = _sorted(_untouched(out[name], first, date))
        assert got.equals(expected), name
    # datasets that do not read assessment values are identical
    for name in sorted(set(DATASETS) - set(ROW_DATE)):
        assert _sorted(out[name]).equals(_sorted(complete[name])), name


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
