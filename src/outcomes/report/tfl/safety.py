"""Safety TFLs: the primary endpoint (CAR-T-related AEs with onset Day 0–91), grades by category
with every row fixed in advance, and ICAHT by laboratory grade beside the AE-reported count.

One definition per count (endpoints.md §9 [D-26], §16.19): a subject counts once per row, at
the worst grade, among AEs with ``AEREL = Y`` and onset Day 0–91 (``W3MFL``: "within 3 months"
always means Day 0–91). ICAHT is the laboratory grade (EHA/EBMT consensus, adsafe, §9.3
[D-27]); the AE-reported ICAHT count stands beside it, each labelled with its source.
Denominator: the safety set (infused subjects) of each column.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from outcomes.analysis.binomial import binomial_ci
from outcomes.contract import AECAT_VALUES
from outcomes.report.tfl.format import format_level, format_number
from outcomes.report.tfl.groups import Columns, count_by_column, format_n_pct_cells
from outcomes.report.tfl.table import Tfl, TflRow

#: AE categories of the data contract (data-contract.md §1), in display order.
AE_CATEGORIES: tuple[str, ...] = AECAT_VALUES
#: CTCAE / ASTCT grades shown on every grade table.
GRADES: tuple[int, ...] = (1, 2, 3, 4, 5)
#: ICAHT grades (EHA/EBMT) of the laboratory table.
ICAHT_GRADES: tuple[int, ...] = (0, 1, 2, 3, 4)
#: adsafe ICAHT columns and their labels.
ICAHT_COLUMNS: dict[str, str] = {
    "ICAHTEGR": "Early ICAHT, neutrophils (Day 0-30)",
    "ICAHTLGR": "Late ICAHT, neutrophils (after Day 30)",
    "TICAHTEG": "Early T-ICAHT, platelets (Day 0-30)",
    "TICAHTLG": "Late T-ICAHT, platelets (Day 31-100)",
}
SOURCE_AE = "adam/adae.parquet (AEREL = Y, W3MFL = Y), adam/adsl.parquet (SAFFL = Y)"
SOURCE_LAB = "adam/adsafe.parquet (laboratory ICAHT grades), adam/adsl.parquet (SAFFL = Y)"
WINDOW_NOTE = "Within 3 months = onset on Day 0-91 after the CAR-T infusion (Day 0)."
DENOM_NOTE = "Percentages use N, the safety set (infused subjects) of each column."
ABBREV = (
    "AE = adverse event; CRS = cytokine release syndrome; ICANS = immune effector cell-associated "
    "neurotoxicity syndrome; ICAHT = immune effector cell-associated haematotoxicity; "
    "CI = confidence interval; NE = not estimable."
)


def format_n_over_n_ci(n: int, denominator: int, *, conf_level: float) -> str:
    """``n/N (pct) [lower, upper]`` with the exact (Clopper–Pearson) interval in percent."""
    if denominator == 0:
        return "NE"
    _, lower, upper = binomial_ci(n, denominator, method="exact", conf_level=conf_level)
    pct = format_number(100 * n / denominator, 1) if n else "0"
    low = format_number(None if lower is None else 100 * lower, 1)
    high = format_number(None if upper is None else 100 * upper, 1)
    return f"{n}/{denominator} ({pct}) [{low}, {high}]"


def create_related_w3m(adae: pl.DataFrame, *, adsl: pl.DataFrame) -> pl.DataFrame:
    """Worst grade per safety-set subject and category (and ``ANY``) of related Day 0–91 AEs.

    Returns
    -------
    pl.DataFrame
        ``USUBJID, DOSELVL, AECAT, GRADE``.
    """
    saf = adsl.filter(pl.col("SAFFL").fill_null(False)).select("USUBJID", "DOSELVL")
    ae = adae.filter(pl.col("W3MFL").fill_null(False) & (pl.col("AEREL") == "Y")).select(
        "USUBJID", "AECAT", pl.col("AETOXGR").cast(pl.Int64)
    )
    both = pl.concat([ae, ae.with_columns(pl.lit("ANY").alias("AECAT"))])
    return (
        both.join(saf, on="USUBJID", how="inner")
        .group_by("USUBJID", "DOSELVL", "AECAT")
        .agg(pl.col("AETOXGR").max().alias("GRADE"))
    )


def create_lab_icaht(adsafe: pl.DataFrame, *, adsl: pl.DataFrame) -> pl.DataFrame:
    """Laboratory neutrophil ICAHT grade per safety-set subject: worst of early and late.

    Returns
    -------
    pl.DataFrame
        ``USUBJID, DOSELVL, GRADE`` (null: not evaluable) and the four adsafe ICAHT columns.
    """
    saf = adsl.filter(pl.col("SAFFL").fill_null(False)).select("USUBJID", "DOSELVL")
    return saf.join(
        adsafe.select("USUBJID", *ICAHT_COLUMNS), on="USUBJID", how="left"
    ).with_columns(pl.max_horizontal("ICAHTEGR", "ICAHTLGR").alias("GRADE"))


def _n(frame: pl.DataFrame, cond: pl.Expr, columns: Columns) -> list[int]:
    return count_by_column(frame.filter(cond.fill_null(False)), columns=columns)


def create_safety_primary(
    adae: pl.DataFrame,
    *,
    adsl: pl.DataFrame,
    adsafe: pl.DataFrame | None,
    columns: Columns,
    severe_grade_ge: int,
    conf_level: float,
) -> Tfl:
    """Table 14.3.1: the primary safety endpoint, n/N (%) [exact CI] by dose level and total."""
    worst = create_related_w3m(adae, adsl=adsl)
    sev = f"grade >= {severe_grade_ge}"
    rows: list[TflRow] = []

    def add(key: str, label: str, counts: list[int], indent: int = 0) -> None:
        cells = tuple(
            format_n_over_n_ci(n, big, conf_level=conf_level)
            for n, big in zip(counts, columns.big_n, strict=True)
        )
        rows.append(TflRow(key, label, cells, indent))

    for cat, label in (
        ("ANY", "Any CAR-T-related AE"),
        ("CRS", "CRS"),
        ("ICANS", "ICANS"),
        ("INFECTION", "Infection"),
    ):
        k = cat.lower()
        in_cat = pl.col("AECAT") == cat
        add(f"{k}_any", f"{label}, any grade", _n(worst, in_cat, columns))
        add(
            f"{k}_sev",
            f"{label}, {sev}",
            _n(worst, in_cat & (pl.col("GRADE") >= severe_grade_ge), columns),
            1,
        )
    if adsafe is not None:
        lab = create_lab_icaht(adsafe, adsl=adsl)
        add(
            "icaht_lab_any",
            "ICAHT grade >= 1 [laboratory, EHA/EBMT]",
            _n(lab, pl.col("GRADE") >= 1, columns),
        )
        add(
            "icaht_lab_sev",
            f"ICAHT grade >= {severe_grade_ge} [laboratory, EHA/EBMT]",
            _n(lab, pl.col("GRADE") >= severe_grade_ge, columns),
            1,
        )
    icaht = pl.col("AECAT") == "ICAHT"
    add("icaht_ae_any", "ICAHT, any grade [reported as AE]", _n(worst, icaht, columns))
    add(
        "icaht_ae_sev",
        f"ICAHT, {sev} [reported as AE]",
        _n(worst, icaht & (pl.col("GRADE") >= severe_grade_ge), columns),
        1,
    )
    return Tfl(
        number="Table 14.3.1",
        title="CAR-T-related adverse events within 3 months (primary safety endpoint)",
        population="Safety analysis set",
        stub="Subjects with",
        columns=columns.headers,
        rows=tuple(rows),
        footnotes=(
            WINDOW_NOTE,
            "A subject counts once per row, at the worst grade of the AEs of that row "
            "(AEREL = Y); grades: CTCAE, CRS and ICANS by ASTCT consensus.",
            "ICAHT [laboratory, EHA/EBMT]: worst of the early (Day 0-30) and late (after Day 30) "
            "neutrophil ICAHT grades derived from the absolute neutrophil count; a subject "
            "without an evaluable grade counts as not having it. ICAHT [reported as AE]: "
            "CAR-T-related AEs of category ICAHT.",
            DENOM_NOTE,
            f"Cells: n/N (%) [exact {format_level(conf_level)} Clopper-Pearson CI, %].",
            ABBREV,
        ),
        source=f"{SOURCE_AE}; {SOURCE_LAB}" if adsafe is not None else SOURCE_AE,
        section="safety",
    )


def create_safety_grades(
    adae: pl.DataFrame, *, adsl: pl.DataFrame, columns: Columns, severe_grade_ge: int
) -> Tfl:
    """Table 14.3.2: related Day 0–91 AEs by category and worst grade; every row shown."""
    worst = create_related_w3m(adae, adsl=adsl)
    rows: list[TflRow] = []
    for cat in ("ANY", *AE_CATEGORIES):
        k = cat.lower()
        label = "Any CAR-T-related AE" if cat == "ANY" else cat
        in_cat = pl.col("AECAT") == cat
        rows.append(TflRow(f"{k}", label, tuple("" for _ in columns.labels)))
        specs = [("any", "Any grade", in_cat)]
        specs += [(f"g{g}", f"Grade {g}", in_cat & (pl.col("GRADE") == g)) for g in GRADES]
        specs.append(
            (
                f"ge{severe_grade_ge}",
                f"Grade >= {severe_grade_ge}",
                in_cat & (pl.col("GRADE") >= severe_grade_ge),
            )
        )
        for key, text, cond in specs:
            cells = format_n_pct_cells(_n(worst, cond, columns), columns.big_n)
            rows.append(TflRow(f"{k}_{key}", text, cells, 1))
    return Tfl(
        number="Table 14.3.2",
        title="CAR-T-related adverse events within 3 months by category and worst grade",
        population="Safety analysis set",
        stub="Category / grade",
        columns=columns.headers,
        rows=tuple(rows),
        footnotes=(
            WINDOW_NOTE,
            "A subject counts once per category, at the worst grade (AEREL = Y); every category "
            "of the data contract and every grade is shown, zero counts included.",
            DENOM_NOTE,
            "Cells: n (%).",
            ABBREV,
        ),
        source=SOURCE_AE,
        section="safety",
    )


def create_safety_icaht(
    adsafe: pl.DataFrame, *, adae: pl.DataFrame, adsl: pl.DataFrame, columns: Columns
) -> Tfl:
    """Table 14.3.3: ICAHT by laboratory grade (EHA/EBMT), the AE-reported count beside it."""
    lab = create_lab_icaht(adsafe, adsl=adsl)
    worst = create_related_w3m(adae, adsl=adsl).filter(pl.col("AECAT") == "ICAHT")
    rows: list[TflRow] = []

    def add(key: str, label: str, counts: list[int], indent: int = 1) -> None:
        rows.append(TflRow(key, label, format_n_pct_cells(counts, columns.big_n), indent))

    blank = tuple("" for _ in columns.labels)
    specs: list[tuple[str, str]] = [
        ("GRADE", "ICAHT, neutrophils, worst of early and late [laboratory]")
    ]
    specs += [(c, f"{label} [laboratory]") for c, label in ICAHT_COLUMNS.items()]
    for col, label in specs:
        k = col.lower()
        rows.append(TflRow(k, label, blank))
        for g in ICAHT_GRADES:
            add(f"{k}_g{g}", f"Grade {g}", _n(lab, pl.col(col) == g, columns))
        add(f"{k}_ne", "Not evaluable", _n(lab, pl.col(col).is_null(), columns))
    rows.append(
        TflRow("ae", "ICAHT reported as a CAR-T-related AE within 3 months [adverse events]", blank)
    )
    add("ae_any", "Any grade", _n(worst, pl.lit(True), columns))
    for g in GRADES:
        add(f"ae_g{g}", f"Grade {g}", _n(worst, pl.col("GRADE") == g, columns))
    return Tfl(
        number="Table 14.3.3",
        title="Immune effector cell-associated haematotoxicity (ICAHT): laboratory grade and "
        "AE reports",
        population="Safety analysis set",
        stub="Source / grade",
        columns=columns.headers,
        rows=tuple(rows),
        footnotes=(
            "[laboratory]: ICAHT graded from the absolute neutrophil and platelet counts by the "
            "EHA/EBMT consensus (Rejeski et al., Blood 2023); not evaluable = too few draws.",
            "[adverse events]: CAR-T-related AEs of category ICAHT with onset Day 0-91, worst "
            "grade per subject; shown beside the laboratory grade, not added to it.",
            DENOM_NOTE,
            "Cells: n (%).",
            ABBREV,
        ),
        source=f"{SOURCE_LAB}; {SOURCE_AE}",
        section="safety",
    )


def create_safety_tfls(
    adae: pl.DataFrame,
    *,
    adsl: pl.DataFrame,
    adsafe: pl.DataFrame | None,
    columns: Columns,
    severe_grade_ge: int,
    conf_level: float,
) -> list[Tfl]:
    """Tables 14.3.1-14.3.3 (14.3.3 only with adsafe)."""
    out = [
        create_safety_primary(
            adae,
            adsl=adsl,
            adsafe=adsafe,
            columns=columns,
            severe_grade_ge=severe_grade_ge,
            conf_level=conf_level,
        ),
        create_safety_grades(adae, adsl=adsl, columns=columns, severe_grade_ge=severe_grade_ge),
    ]
    if adsafe is not None:
        out.append(create_safety_icaht(adsafe, adae=adae, adsl=adsl, columns=columns))
    return out


__all__: Sequence[str] = (
    "create_safety_grades",
    "create_safety_icaht",
    "create_safety_primary",
    "create_safety_tfls",
)
