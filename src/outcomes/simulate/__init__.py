"""Synthetic export of the trial for the demo, tests and benchmarks.

:func:`simulate_export` writes one CSV per table of data-contract.md §1, modelled on NCT07274059
(endpoints.md §4-§11); the assumptions are in :mod:`outcomes.simulate.params`. Everything is
drawn vectorised from ``numpy.random.default_rng(seed)``, so the same arguments give
byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from outcomes.errors import ConfigError
from outcomes.simulate.assessments import create_assessments
from outcomes.simulate.cohort import create_cohort, day_number
from outcomes.simulate.labs import create_labs
from outcomes.simulate.medications import create_medications
from outcomes.simulate.params import ASSUMPTIONS
from outcomes.simulate.safety import create_adverse_events, draw_safety
from outcomes.simulate.subjects import create_subject_ids, create_subjects
from outcomes.simulate.writer import write_table

__all__ = ["SimulationResult", "simulate_export"]


@dataclass(frozen=True)
class SimulationResult:
    """What :func:`simulate_export` wrote: file per table, row counts, and the options used."""

    out: Path
    seed: int
    subjects: int
    as_of: dt.date
    paths: dict[str, Path]
    rows: dict[str, int]
    manifest: Path | None

    def summary(self) -> str:
        """One line per table with its row count, for the console and the logs."""
        lines = [
            f"Simulated export of {self.subjects} subjects (seed {self.seed}, as of "
            f"{self.as_of.isoformat()}) in {self.out}:"
        ]
        lines += [f"  {table}.csv: {n} rows" for table, n in self.rows.items()]
        if self.manifest is not None:
            lines.append(f"  faults planted after writing; listed in {self.manifest.name}")
        return "\n".join(lines)


def _last_assessment(n: int, assessments: pl.DataFrame, ids: pl.Series) -> np.ndarray:
    last = assessments.group_by("USUBJID").agg(pl.col("ASMDT").max().cast(pl.Int32).alias("LAST"))
    joined = pl.DataFrame({"USUBJID": ids}).join(
        last, on="USUBJID", how="left", maintain_order="left"
    )
    return joined["LAST"].fill_null(0).to_numpy().astype(np.int64)[:n]


def _check_arguments(*, subjects: int, seed: int, dose_levels: tuple[str, ...]) -> None:
    if subjects < 1:
        raise ConfigError(f"simulate: subjects must be a whole number >= 1, got {subjects}.")
    if seed < 0:
        raise ConfigError(f"simulate: seed must be >= 0, got {seed}.")
    if not dose_levels or len(set(dose_levels)) != len(dose_levels):
        raise ConfigError(
            f"simulate: dose_levels must name at least one level, each once; got {dose_levels}."
        )


def simulate_export(
    *,
    subjects: int,
    seed: int,
    out: Path,
    inject_errors: bool = False,
    dose_levels: tuple[str, ...] = ("DL1", "DL2", "DL3"),
    as_of: dt.date = dt.date(2027, 6, 30),
) -> SimulationResult:
    """Write a synthetic export of the trial (data-contract.md §1) into ``out``.

    Parameters
    ----------
    subjects
        Number of subjects consented (those consenting after ``as_of`` are not written).
    seed
        Seed of ``numpy.random.default_rng``; the same arguments give byte-identical files.
    out
        Export folder, created when needed; existing table files are overwritten.
    inject_errors
        After writing the clean export, plant faults of every kind the validator knows and
        write ``errors_manifest.csv`` (:func:`outcomes.simulate.inject.plant_errors`).
    dose_levels
        Dose level labels, lowest first; subjects are balanced over them.
    as_of
        Date of the export: nothing dated later is written, and subjects still in follow-up
        are ``ONGOING``.

    Returns
    -------
    SimulationResult
        Paths and row counts of the tables written.

    Raises
    ------
    ConfigError
        When ``subjects`` < 1, ``seed`` < 0, or ``dose_levels`` is empty or repeats a label.
    """
    _check_arguments(subjects=subjects, seed=seed, dose_levels=dose_levels)
    a = ASSUMPTIONS
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    cohort = create_cohort(
        streams[0], subjects=subjects, dose_levels=tuple(dose_levels), as_of=as_of, assumptions=a
    )
    ids = create_subject_ids(cohort, studyid=a.studyid)
    events = draw_safety(streams[1], cohort, a)
    assessments = create_assessments(streams[2], cohort, ids=ids, assumptions=a)
    tables = {
        "subjects": create_subjects(
            cohort,
            ids=ids,
            studyid=a.studyid,
            dose_first=a.dose_first,
            dose_ratio=a.dose_ratio,
            last_assessment=_last_assessment(cohort.n, assessments, ids),
        ),
        "assessments": assessments,
        "medications": create_medications(streams[3], cohort, events, ids=ids, assumptions=a),
        "adverse_events": create_adverse_events(streams[4], cohort, events, ids=ids, assumptions=a),
        "labs": create_labs(streams[5], cohort, events, ids=ids, screening_date=cohort.screening),
    }
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: write_table(frame, table=name, out=out) for name, frame in tables.items()}
    manifest = None
    if inject_errors:
        from outcomes.simulate.inject import plant_errors

        plant_errors(out, seed=seed)
        manifest = out / "errors_manifest.csv"
    return SimulationResult(
        out=out,
        seed=seed,
        subjects=int((cohort.consent <= day_number(as_of)).sum()),
        as_of=as_of,
        paths=paths,
        rows={name: frame.height for name, frame in tables.items()},
        manifest=manifest,
    )
