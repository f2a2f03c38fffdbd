"""Tiny hand-built input frames for the endpoint tests (column names of docs/architecture.md)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.endpoints.params import EndpointParams

D = dt.date.fromisoformat

SCHEDULE = pl.LazyFrame(
    [
        ("DAY 14", 1, 17),
        ("DAY 28", 2, 31),
        ("MONTH 3", 3, 105),
        ("MONTH 6", 6, 196),
        ("MONTH 9", 9, 287),
        ("MONTH 12", 12, 395),
        ("MONTH 18", 18, 577),
        ("MONTH 24", 24, 760),
    ],
    schema={"AVISIT": pl.String, "AVISITN": pl.Int64, "UPPERDY": pl.Int64},
    orient="row",
)

PARAMS = EndpointParams(
    rescue_is_failure=True,
    bridge_missing_max=1,
    maintenance_avisit=("MONTH 6", "MONTH 9", "MONTH 12", "MONTH 18", "MONTH 24"),
    lldas_time_first_avisit="MONTH 3",
    lldas50_pct_ge=50.0,
    sustained_months=(3, 6, 12),
    days_per_month=365 / 12,
    overall_avisitn=99,
    duration_death="event",
)

ADVISIT_SCHEMA = {
    "USUBJID": pl.String,
    "SRCDOM": pl.String,
    "SRCSEQ": pl.Int64,
    "ADT": pl.Date,
    "AVISIT": pl.String,
    "ANL01FL": pl.Boolean,
    "ABLFL": pl.Boolean,
    "DORISFL": pl.Boolean,
    "DFREMFL": pl.Boolean,
    "DFREMSFL": pl.Boolean,
    "LLDASFL": pl.Boolean,
    "SRI4FL": pl.Boolean,
    "FLAREFL": pl.Boolean,
    "LLC1FL": pl.Boolean,
    "LLC3FL": pl.Boolean,
    "LLC4FL": pl.Boolean,
    "LLC5FL": pl.Boolean,
}


def visit(
    usubjid: str,
    seq: int,
    adt: str,
    avisit: str | None,
    *,
    doris=None,
    df=None,
    dfs=None,
    ll=None,
    sri=None,
    flare=False,
    baseline=False,
    llc=(False, True, True, True),
) -> dict:
    """One advisit row; the flags default to null (not evaluable)."""
    return {
        "USUBJID": usubjid,
        "SRCDOM": "ASSESSMENTS",
        "SRCSEQ": seq,
        "ADT": D(adt),
        "AVISIT": avisit,
        "ANL01FL": avisit is not None and not baseline,
        "ABLFL": baseline,
        "DORISFL": doris,
        "DFREMFL": df,
        "DFREMSFL": dfs,
        "LLDASFL": ll,
        "SRI4FL": sri,
        "FLAREFL": flare,
        "LLC1FL": llc[0],
        "LLC3FL": llc[1],
        "LLC4FL": llc[2],
        "LLC5FL": llc[3],
    }


def advisit(rows: list[dict]) -> pl.LazyFrame:
    return pl.LazyFrame(rows, schema=ADVISIT_SCHEMA)


def subject(
    usubjid: str,
    seq: int,
    trtsdt: str,
    *,
    cut: str = "2026-03-01",
    dthdt: str | None = None,
    eosstt: str = "ONGOING",
    eosdt: str | None = None,
    doselvl: str = "DL1",
) -> dict:
    return {
        "USUBJID": usubjid,
        "SRCSEQ": seq,
        "DOSELVL": doselvl,
        "SAFFL": True,
        "TRTSDT": D(trtsdt),
        "DCUTDT": D(cut),
        "DTHDT": D(dthdt) if dthdt else None,
        "EOSSTT": eosstt,
        "EOSDT": D(eosdt) if eosdt else None,
    }


def adsl(rows: list[dict]) -> pl.LazyFrame:
    return pl.LazyFrame(
        rows,
        schema={
            "USUBJID": pl.String,
            "SRCSEQ": pl.Int64,
            "DOSELVL": pl.String,
            "SAFFL": pl.Boolean,
            "TRTSDT": pl.Date,
            "DCUTDT": pl.Date,
            "DTHDT": pl.Date,
            "EOSSTT": pl.String,
            "EOSDT": pl.Date,
        },
    )


def events(rows: list[tuple[str, str, str, int]]) -> pl.LazyFrame:
    """(USUBJID, EVTDT, EVTCD, SRCSEQ) medication events."""
    return pl.LazyFrame(
        [
            {
                "USUBJID": u,
                "EVTDT": D(d),
                "EVTCD": c,
                "EVTDESC": c,
                "SRCDOM": "MEDICATIONS",
                "SRCSEQ": s,
            }
            for u, d, c, s in rows
        ],
        schema={
            "USUBJID": pl.String,
            "EVTDT": pl.Date,
            "EVTCD": pl.String,
            "EVTDESC": pl.String,
            "SRCDOM": pl.String,
            "SRCSEQ": pl.Int64,
        },
    )


def rows(frame: pl.DataFrame, paramcd: str, *cols: str) -> list[tuple]:
    """(AVISIT, *cols) of one parameter, in visit order."""
    sub = frame.filter(pl.col("PARAMCD") == paramcd).sort("AVISITN")
    return list(sub.select("AVISIT", *cols).iter_rows())


def ex11_visits(usubjid: str = "E11") -> list[dict]:
    """Endpoints.md Ex 11 assessments (infusion 2025-04-01), baseline BL-A not in LLDAS."""
    return [
        visit(
            usubjid,
            1,
            "2025-03-20",
            "BASELINE",
            baseline=True,
            doris=False,
            df=False,
            dfs=False,
            ll=False,
        ),
        visit(
            usubjid, 2, "2025-04-15", "DAY 14", doris=False, df=False, dfs=False, ll=False, sri=True
        ),
        visit(
            usubjid, 3, "2025-04-29", "DAY 28", doris=True, df=False, dfs=False, ll=True, sri=True
        ),
        visit(
            usubjid, 4, "2025-07-01", "MONTH 3", doris=True, df=True, dfs=True, ll=True, sri=True
        ),
        visit(
            usubjid, 5, "2025-09-30", "MONTH 6", doris=True, df=True, dfs=True, ll=True, sri=True
        ),
    ]
