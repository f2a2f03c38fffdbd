"""A tiny hand-built run folder (data-contract.md §3) for the report tests.

Six subjects over two of three dose levels; S05 enrolled but not infused; S04 died on Day 60.
``make_run`` takes the subject ids and AE term so a test can plant HTML in them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from outcomes.configuration import load_config

D = dt.date
CUT = D(2027, 1, 31)
SUBJECTS = ("S01", "S02", "S03", "S04", "S05", "S06")


def report_config() -> dict:
    """The shipped configuration with :func:`report_overrides` merged over it.

    Complete, as a run's configuration is: the methods section builds every stage's parameters.
    """
    return load_config(overrides=report_overrides())


def report_overrides() -> dict:
    """The keys the report tests set: the study, the cut and the report layout."""
    return {
        "study": {
            "studyid": "NCT07274059",
            "title": "Test trial",
            "dose_levels": ["DL1", "DL2", "DL3"],
        },
        "data": {"export": "demo", "data_cut": "2027-01-31", "output_dir": None},
        "analysis": {"safety": {"severe_grade_ge": 3}},
        "report": {
            "section_order": [
                "cover",
                "validation",
                "disposition",
                "baseline",
                "safety",
                "obd",
                "activity",
                "rates",
                "time_to_event",
                "swimmer",
                "analysis_tables",
                "methods",
                "dictionary",
            ],
            "table_order": [],
            "activity_scores": ["SLEDAI2K"],
            "conf_level": 0.95,
            "rate_ci_method": "clopper-pearson",
            "at_risk_days": [1, 92, 183],
            "km_conf_type": "log-log",
            "figure_width_in": 6.0,
            "figure_height_in": 3.0,
            "figure_dpi": 60,
        },
    }


def _adsl(ids: tuple[str, ...]) -> pl.DataFrame:
    inf = D(2026, 1, 10)
    return pl.DataFrame(
        {
            "USUBJID": list(ids),
            "DOSELVL": ["DL1", "DL1", "DL2", "DL2", None, "DL2"],
            "AGE": [30, 40, 50, 35, 45, 25],
            "SEX": ["F", "F", "M", "F", "F", "F"],
            "WEIGHT": [60.0, 70.0, 80.0, 55.0, 65.0, 50.0],
            "SAFFL": [True, True, True, True, False, True],
            "EFFFL": [True, True, True, True, False, False],
            "TRTSDT": [inf, inf, inf, inf, None, inf],
            "EOSSTT": [
                "ONGOING",
                "ONGOING",
                "DISCONTINUED",
                "DISCONTINUED",
                "DISCONTINUED",
                "ONGOING",
            ],
            "DCSREAS": [None, None, "WITHDRAWAL BY SUBJECT", "DEATH", "ADVERSE EVENT", None],
            "EOSDT": [None, None, D(2026, 7, 1), D(2026, 3, 11), D(2026, 1, 5), None],
            "DTHDT": [None, None, None, D(2026, 3, 11), None, None],
            "LSTASMDT": [
                D(2027, 1, 10),
                D(2026, 10, 10),
                D(2026, 4, 10),
                D(2026, 2, 8),
                None,
                D(2026, 1, 10),
            ],
            "SLEDAIBL": [12, 10, 8, 14, None, 9],
            "PGABL": [2.0, 1.5, 1.0, 2.5, None, 1.2],
            "GCDOSEBL": [10.0, 5.0, 7.5, 20.0, None, 0.0],
            "DCUTDT": [CUT] * 6,
        }
    )


def _advisit(ids: tuple[str, ...]) -> pl.DataFrame:
    rows = [  # subject, ADY, AVISIT, AVISITN, SLEDAI2K, PGA, FLAREFL
        (0, 0, "BASELINE", 0, 12, 2.0, None),
        (0, 91, "MONTH 3", 3, 4, 0.4, False),
        (0, 182, "MONTH 6", 6, 0, 0.2, False),
        (1, 0, "BASELINE", 0, 10, 1.5, None),
        (1, 91, "MONTH 3", 3, 6, 1.0, True),
        (2, 0, "BASELINE", 0, 8, 1.0, None),
        (2, 91, "MONTH 3", 3, 2, 0.3, False),
        (3, 0, "BASELINE", 0, 14, 2.5, None),
        (3, 29, None, None, 10, 2.0, None),
        (5, 0, "BASELINE", 0, 9, 1.2, None),
    ]
    dose = ["DL1", "DL1", "DL2", "DL2", None, "DL2"]
    return pl.DataFrame(
        {
            "USUBJID": [ids[r[0]] for r in rows],
            "DOSELVL": [dose[r[0]] for r in rows],
            "ADT": [D(2026, 1, 10) + dt.timedelta(days=r[1]) for r in rows],
            "ADY": [r[1] for r in rows],
            "AVISIT": [r[2] for r in rows],
            "AVISITN": [r[3] for r in rows],
            "ANL01FL": [r[2] is not None for r in rows],
            "SLEDAI2K": [r[4] for r in rows],
            "PGA": [r[5] for r in rows],
            "FLAREFL": [r[6] for r in rows],
        },
        schema_overrides={"AVISITN": pl.Int64, "FLAREFL": pl.Boolean},
    )


def _adrs(ids: tuple[str, ...]) -> pl.DataFrame:
    rows = [
        (0, "DORIS", "MONTH 3", 3, "Y"),
        (1, "DORIS", "MONTH 3", 3, "N"),
        (2, "DORIS", "MONTH 3", 3, "Y"),
        (3, "DORIS", "MONTH 3", 3, "N"),
        (5, "DORIS", "MONTH 3", 3, "N"),
        (0, "SRI4", "MONTH 3", 3, "Y"),
        (1, "SRI4", "MONTH 3", 3, "Y"),
        (0, "DORIS", "MONTH 6", 6, "Y"),
    ]
    return pl.DataFrame(
        {
            "USUBJID": [ids[r[0]] for r in rows],
            "PARAMCD": [r[1] for r in rows],
            "AVISIT": [r[2] for r in rows],
            "AVISITN": [r[3] for r in rows],
            "AVALC": [r[4] for r in rows],
            "AVAL": [1.0 if r[4] == "Y" else 0.0 for r in rows],
            "ADT": [D(2026, 4, 11)] * len(rows),
        }
    )


def _adtte(ids: tuple[str, ...]) -> pl.DataFrame:
    rows = [(0, 92, 0), (1, 274, 1), (2, 92, 0), (3, 30, 2), (5, 1, 1)]
    return pl.DataFrame(
        {
            "USUBJID": [ids[r[0]] for r in rows],
            "PARAMCD": ["TTDORIS"] * len(rows),
            "STARTDT": [D(2026, 1, 10)] * len(rows),
            "ADT": [D(2026, 1, 9) + dt.timedelta(days=r[1]) for r in rows],
            "AVAL": [float(r[1]) for r in rows],
            "CNSR": [r[2] for r in rows],
        }
    )


def write_run(run: Path, *, ids: tuple[str, ...] = SUBJECTS, ae_term: str = "Fever") -> Path:
    """Write the run folder and return it."""
    for sub in ("adam", "derived", "validation", "tables"):
        (run / sub).mkdir(parents=True, exist_ok=True)
    _adsl(ids).write_parquet(run / "adam/adsl.parquet")
    _advisit(ids).write_parquet(run / "adam/advisit.parquet")
    _adrs(ids).write_parquet(run / "adam/adrs.parquet")
    _adtte(ids).write_parquet(run / "adam/adtte.parquet")
    pl.DataFrame(
        {
            "USUBJID": [ids[0]],
            "PARAMCD": ["DORIS"],
            "EPISODE": [1],
            "STARTDT": [D(2026, 4, 10)],
            "ENDDT": [D(2026, 7, 10)],
            "ENDREAS": ["CENSORED"],
        }
    ).write_parquet(run / "adam/adepi.parquet")
    pl.DataFrame(
        {
            "USUBJID": [ids[0], ids[2], ids[3]],
            "AESEQ": [1, 1, 1],
            "AETERM": [ae_term, "CRS", "Pneumonia"],
            "AECAT": ["CRS", "CRS", "INFECTION"],
            "AESTDT": [D(2026, 1, 12), D(2026, 1, 11), D(2026, 2, 20)],
            "AEENDT": [D(2026, 1, 15), D(2026, 1, 16), None],
            "AETOXGR": [1, 3, 5],
            "AEREL": ["Y", "Y", "N"],
            "W3MFL": [True, True, True],
        }
    ).write_parquet(run / "adam/adae.parquet")
    # S03's CRS (Jan 11-16): tocilizumab on Jan 12; dexamethasone on Jan 20, after it resolved.
    pl.DataFrame(
        {
            "USUBJID": [ids[2], ids[2]],
            "DRUG": ["tocilizumab", "dexamethasone"],
            "CMSTDT": [D(2026, 1, 12), D(2026, 1, 20)],
            "CARTTXFL": [True, True],
            "GCFL": [False, True],
        }
    ).write_parquet(run / "derived/adcm.parquet")
    # Laboratory ICAHT grades: S02 early grade 1, S03 early 3 and late 2, S04 not evaluable.
    pl.DataFrame(
        {
            "USUBJID": list(ids[:4]),
            "DOSELVL": ["DL1", "DL1", "DL2", "DL2"],
            "ICAHTEGR": [0, 1, 3, None],
            "ICAHTLGR": [0, None, 2, None],
            "TICAHTEG": [0, 0, 1, None],
            "TICAHTLG": [None, None, None, None],
        },
        schema_overrides={c: pl.Int64 for c in ("ICAHTEGR", "ICAHTLGR", "TICAHTEG", "TICAHTLG")},
    ).write_parquet(run / "adam/adsafe.parquet")
    pl.DataFrame(
        {
            "USUBJID": [ids[1]],
            "EVTDT": [D(2026, 5, 1)],
            "EVTCD": ["RESCUE"],
            "EVTDESC": ["new mycophenolate"],
            "SRCDOM": ["MEDICATIONS"],
            "SRCSEQ": [3],
        }
    ).write_parquet(run / "derived/events.parquet")
    (run / "validation/summary.json").write_text(
        json.dumps({"errors": 0, "warnings": 2, "by_rule": {"W-DATE": 2}}), encoding="utf-8"
    )
    pl.DataFrame({"DOSELVL": ["DL1", "DL2"], "OBDSCORE": [0.5, 0.7]}).write_csv(
        run / "tables/obd_summary.csv"
    )
    pl.DataFrame({"ITEM": [ids[0]], "NOTE": [ae_term]}).write_csv(run / "tables/listing.csv")
    return run
