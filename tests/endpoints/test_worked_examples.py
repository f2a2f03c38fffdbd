"""Worked examples Ex 11, 12, 13 and 19 of endpoints.md §13 with hand-typed expected values."""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.endpoints.datasets import create_adepi, create_adrs, create_adtte
from outcomes.endpoints.icaht import create_icaht
from outcomes.endpoints.params import IcahtParams
from tests.endpoints.endpoint_builders import (
    PARAMS,
    SCHEDULE,
    D,
    adsl,
    advisit,
    events,
    ex11_visits,
    rows,
    subject,
    visit,
)

NO_EVENTS = events([])


def _adrs(av, sl, ev, params=PARAMS):
    return create_adrs(av, subjects=sl, events=ev, schedule=SCHEDULE, params=params).collect()


def _adtte(av, sl, ev, params=PARAMS):
    return create_adtte(av, subjects=sl, events=ev, params=params).collect()


def _tte(adtte: pl.DataFrame, paramcd: str) -> tuple:
    row = adtte.filter(pl.col("PARAMCD") == paramcd)
    return row.select("STARTDT", "ADT", "AVAL", "CNSR", "SRCDOM", "SRCSEQ").row(0)


# Ex 11: D14 F, D28 D21 T / DF F, M3 and M6 DF T, prednisone restarted 2025-12-20 (rescue),
# M9 2025-12-30 all F. Cut 2026-05-01 (Day 395 = 2026-05-01: M12 due, M18 not).
EX11 = [
    *ex11_visits(),
    visit("E11", 6, "2025-12-30", "MONTH 9", doris=False, df=False, dfs=False, ll=False, sri=True),
]
EX11_SUBJ = adsl([subject("E11", 11, "2025-04-01", cut="2026-05-01")])
EX11_EVENTS = events([("E11", "2025-12-20", "RESCUE", 7)])


def test_ex11__maintenance_of_drug_free_doris():
    adrs = _adrs(advisit(EX11), EX11_SUBJ, EX11_EVENTS)
    assert rows(adrs, "DFMAINT", "AVALC", "DTYPE") == [
        ("MONTH 6", "Y", None),
        ("MONTH 9", "N", "NRI"),
        ("MONTH 12", "N", "NRI"),
    ]


def test_ex11__sri4_at_m9_is_nonresponder_after_rescue():
    adrs = _adrs(advisit(EX11), EX11_SUBJ, EX11_EVENTS)
    # Observed SRI4FL is TRUE at M9, but the rescue on 2025-12-20 precedes the visit.
    assert rows(adrs, "SRI4", "AVALC", "DTYPE", "NRIREAS", "SRCDOM", "SRCSEQ") == [
        ("DAY 14", "Y", None, None, "ASSESSMENTS", 2),
        ("DAY 28", "Y", None, None, "ASSESSMENTS", 3),
        ("MONTH 3", "Y", None, None, "ASSESSMENTS", 4),
        ("MONTH 6", "Y", None, None, "ASSESSMENTS", 5),
        ("MONTH 9", "N", "NRI", "RESCUE", "MEDICATIONS", 7),
        ("MONTH 12", "N", "NRI", "RESCUE", "MEDICATIONS", 7),
    ]


def test_ex11__first_achievement_and_duration_173_days():
    adtte = _adtte(advisit(EX11), EX11_SUBJ, EX11_EVENTS)
    # t1 = 2025-07-01 (Day 91): AVAL 92; loss = rescue 2025-12-20: 173 days, event.
    assert _tte(adtte, "TTDFREM") == (D("2025-04-01"), D("2025-07-01"), 92, 0, "ASSESSMENTS", 4)
    assert _tte(adtte, "DURDFREM") == (D("2025-07-01"), D("2025-12-20"), 173, 0, "MEDICATIONS", 7)


def test_ex11__episode_ends_with_rescue():
    adepi = create_adepi(advisit(EX11), subjects=EX11_SUBJ, events=EX11_EVENTS).collect()
    df = adepi.filter(pl.col("PARAMCD") == "DFDORIS")
    assert df.select(
        "EPISODE", "STARTDT", "ENDDT", "ENDREAS", "STSRCSEQ", "ENSRCDOM", "ENSRCSEQ"
    ).rows() == [(1, D("2025-07-01"), D("2025-12-20"), "RESCUE", 4, "MEDICATIONS", 7)]


# Ex 12: DF TRUE at M3 and M6; A withdraws on Day 200 (2025-10-18); B dies on 2025-12-07.
EX12 = advisit(ex11_visits("A") + ex11_visits("B"))
EX12_SUBJ = adsl(
    [
        subject("A", 21, "2025-04-01", cut="2026-05-01", eosstt="DISCONTINUED", eosdt="2025-10-18"),
        subject(
            "B",
            22,
            "2025-04-01",
            cut="2026-05-01",
            dthdt="2025-12-07",
            eosstt="DISCONTINUED",
            eosdt="2025-12-07",
        ),
    ]
)


def test_ex12__withdrawal_and_death_are_nonresponders_after():
    adrs = _adrs(EX12, EX12_SUBJ, NO_EVENTS)
    a = adrs.filter(pl.col("USUBJID") == "A")
    b = adrs.filter(pl.col("USUBJID") == "B")
    for paramcd in ("SRI4", "DORIS", "DFDORIS", "LLDAS"):
        assert rows(a, paramcd, "AVALC", "NRIREAS")[-2:] == [
            ("MONTH 9", "N", "WITHDRAWAL"),
            ("MONTH 12", "N", "WITHDRAWAL"),
        ]
        assert rows(b, paramcd, "AVALC", "NRIREAS", "SRCDOM", "SRCSEQ")[-2:] == [
            ("MONTH 9", "N", "DEATH", "SUBJECTS", 22),
            ("MONTH 12", "N", "DEATH", "SUBJECTS", 22),
        ]
    assert rows(a, "DFMAINT", "AVALC", "DTYPE") == [
        ("MONTH 6", "Y", None),
        ("MONTH 9", "N", "NRI"),
        ("MONTH 12", "N", "NRI"),
    ]


def test_ex12__durations_censored_at_m6_or_event_at_death():
    adtte = _adtte(EX12, EX12_SUBJ, NO_EVENTS)
    a = adtte.filter(pl.col("USUBJID") == "A")
    b = adtte.filter(pl.col("USUBJID") == "B")
    assert _tte(a, "DURDFREM") == (D("2025-07-01"), D("2025-09-30"), 92, 1, "ASSESSMENTS", 5)
    assert _tte(b, "DURDFREM") == (D("2025-07-01"), D("2025-12-07"), 160, 0, "SUBJECTS", 22)


# Ex 13: DF TRUE at M3 and M9; M6 complete except PGA (DF not evaluable); no flare or rescue.
EX13 = advisit(
    [
        visit("C", 1, "2025-03-20", "BASELINE", baseline=True, df=False, ll=False),
        visit("C", 2, "2025-04-15", "DAY 14", df=False),
        visit("C", 3, "2025-04-29", "DAY 28", df=False),
        visit("C", 4, "2025-07-01", "MONTH 3", df=True),
        visit("C", 5, "2025-09-30", "MONTH 6", df=None),
        visit("C", 6, "2025-12-30", "MONTH 9", df=True),
    ]
)
EX13_SUBJ = adsl([subject("C", 31, "2025-04-01", cut="2026-01-31")])


def test_ex13__missing_pga_is_bridged_by_default_not_under_strict_rule():
    adrs = _adrs(EX13, EX13_SUBJ, NO_EVENTS)
    assert rows(adrs, "DFDORIS", "AVALC", "NRIREAS") == [
        ("DAY 14", "N", None),
        ("DAY 28", "N", None),
        ("MONTH 3", "Y", None),
        ("MONTH 6", "N", "NOT_EVALUABLE"),
        ("MONTH 9", "Y", None),
    ]
    assert rows(adrs, "DFMAINT", "AVALC") == [("MONTH 6", "N"), ("MONTH 9", "Y")]
    assert rows(adrs, "DFMAINTS", "AVALC") == [("MONTH 6", "N"), ("MONTH 9", "N")]


# Ex 19: ANC step function; early grade from days with ANC <= 0.5 (<= 0.1), late from >= 2 draws.
ICAHT = IcahtParams(
    early_last_day=30,
    late_last_day=100,
    late_min_values=2,
    anc_early_le=0.5,
    anc_early_profound_le=0.1,
    anc_early_g2_days_ge=7,
    anc_early_g3_days_ge=14,
    anc_early_profound_g4_days_ge=7,
    anc_late_le=(1.5, 1.0, 0.5, 0.1),
    plt_early_lt=(50.0, 20.0),
    plt_early_g2_days_ge=7,
    plt_early_g4_days_ge=14,
    plt_late_lt=(100.0, 50.0, 20.0),
    plt_late_g4_days_ge=14,
)
DAY0 = dt.date(2025, 4, 1)


def _labs(draws: list[tuple[str, str, int, float]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        [
            {"USUBJID": u, "LBTESTCD": t, "LBSTRESN": v, "LBDT": DAY0 + dt.timedelta(days=d)}
            for u, t, d, v in draws
        ],
        schema={
            "USUBJID": pl.String,
            "LBTESTCD": pl.String,
            "LBSTRESN": pl.Float64,
            "LBDT": pl.Date,
        },
    )


def test_ex19__icaht_early_and_late_grades():
    labs = _labs(
        [
            ("G1", "ANC", 0, 2.0),
            ("G1", "ANC", 1, 0.3),
            ("G1", "ANC", 7, 1.2),  # Days 1-6
            ("G2", "ANC", 0, 2.0),
            ("G2", "ANC", 2, 0.4),
            ("G2", "ANC", 11, 1.0),  # Days 2-10
            ("G3", "ANC", 0, 2.0),
            ("G3", "ANC", 1, 0.2),
            ("G3", "ANC", 17, 1.1),  # Days 1-16
            ("G4", "ANC", 0, 2.0),
            ("G4", "ANC", 3, 0.05),
            ("G4", "ANC", 10, 0.8),  # <= 0.1 Days 3-9
            ("L2", "ANC", 0, 2.0),
            ("L2", "ANC", 60, 0.8),
            ("L2", "ANC", 67, 0.8),  # late 800/uL twice
            ("L1", "ANC", 0, 2.0),
            ("L1", "ANC", 60, 0.8),  # one late value
        ]
    )
    subjects = pl.LazyFrame(
        {"USUBJID": ["G1", "G2", "G3", "G4", "L2", "L1", "NO"], "TRTSDT": [DAY0] * 7}
    )
    out = create_icaht(labs, subjects=subjects, params=ICAHT).collect()
    assert out.select("USUBJID", "ICAHTEGR", "ICAHTLGR").rows() == [
        ("G1", 1, None),
        ("G2", 2, None),
        ("G3", 3, None),
        ("G4", 4, None),
        ("L2", 0, 2),
        ("L1", 0, None),
        ("NO", None, None),
    ]
