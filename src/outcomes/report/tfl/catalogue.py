"""All TFLs of one data cut, in TFL order, built from the run folder's datasets.

Sections (one regeneration target each): ``safety`` (14.3), ``efficacy`` (14.2) and
``listings`` (16.2). A section whose datasets are missing is left out (the HTML report names the
missing files).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from outcomes.report.load import RunData
from outcomes.report.tfl import efficacy, listings, safety
from outcomes.report.tfl.groups import create_safety_columns
from outcomes.report.tfl.settings import select_tfl_config
from outcomes.report.tfl.survival import create_tte_table
from outcomes.report.tfl.table import Tfl

#: TFL sections in output order.
SECTIONS: tuple[str, ...] = ("efficacy", "safety", "listings")


def _order(tfl: Tfl) -> tuple:
    kind = 0 if tfl.number.startswith("Table") else 1
    return (kind, tuple(int(p) for p in tfl.number.split(" ")[1].split(".")))


def _with_dose(frame: pl.DataFrame | None, adsl: pl.DataFrame) -> pl.DataFrame | None:
    """``frame`` with the subject's dose level from adsl when it does not carry one."""
    if frame is None:
        return frame
    if isinstance(frame, pl.LazyFrame):
        if "DOSELVL" in frame.collect_schema().names():
            return frame
        return frame.join(adsl.lazy().select("USUBJID", "DOSELVL"), on="USUBJID", how="left")
    if "DOSELVL" in frame.columns:
        return frame
    return frame.join(adsl.select("USUBJID", "DOSELVL"), on="USUBJID", how="left")


def build_tfls(
    run: RunData,
    *,
    config: dict[str, Any],
    issues: pl.DataFrame | None = None,
    sections: Sequence[str] = SECTIONS,
) -> list[Tfl]:
    """Every TFL the run's datasets allow, tables (14.x) then listings (16.x) in number order.

    Parameters
    ----------
    run
        The run folder's datasets.
    config
        The checked configuration (study dose levels, analysis settings).
    issues
        ``validation/issues.csv`` for the eligibility listing, when available.
    sections
        Sections to build.
    """
    adsl = run.get("adsl")
    if adsl is None:
        return []
    keys = select_tfl_config(config)
    dose_levels = tuple(keys["study"]["dose_levels"])
    columns = create_safety_columns(adsl, dose_levels=dose_levels)
    analysis = keys["analysis"]
    severe = int(analysis["safety"]["severe_grade_ge"])
    conf_level = float(keys["report"]["conf_level"])
    out: list[Tfl] = []
    adrs, adepi, adtte, advisit, adae, adsafe = (
        _with_dose(run.get(name), adsl)
        for name in ("adrs", "adepi", "adtte", "advisit", "adae", "adsafe")
    )
    if "efficacy" in sections:
        if adrs is not None:
            out += [
                efficacy.create_response_table(adrs, columns=columns, conf_level=conf_level),
                efficacy.create_sustained_table(adrs, columns=columns, conf_level=conf_level),
                efficacy.create_lldas_time_table(adrs, columns=columns),
            ]
            if adepi is not None:
                out.append(
                    efficacy.create_maintenance_table(
                        adrs, adepi=adepi, columns=columns, conf_level=conf_level
                    )
                )
        if advisit is not None and {"ABLFL", "ANL01FL", "ADY"} <= set(advisit.columns):
            params = analysis["activity"]["params"]
            out.append(
                efficacy.create_change_table(
                    advisit, adsl=adsl, columns=columns, params=params, conf_level=conf_level
                )
            )
        if adtte is not None:
            conf_type = keys["report"]["km_conf_type"]
            out.append(
                create_tte_table(adtte, columns=columns, conf_type=conf_type, conf_level=conf_level)
            )
    if "safety" in sections and adae is not None:
        out += safety.create_safety_tfls(
            adae,
            adsl=adsl,
            adsafe=adsafe,
            columns=columns,
            severe_grade_ge=severe,
            conf_level=conf_level,
        )
    if "listings" in sections:
        most = keys["report"]["listing_max_rows"]
        if adae is not None:
            out += [
                listings.create_ae_listing(adae, max_rows=most),
                listings.create_crs_icans_listing(adae, adcm=run.get("adcm"), max_rows=most),
            ]
            if "AESER" in adae.columns:
                out.append(listings.create_sae_listing(adae, max_rows=most))
        out.append(listings.create_death_listing(adsl, max_rows=most))
        if run.get("events") is not None:
            out.append(listings.create_rescue_listing(run.get("events"), adsl=adsl, max_rows=most))
        out.append(listings.create_eligibility_listing(issues, adsl=adsl, max_rows=most))
    return sorted(out, key=_order)


def build_tfl_sections(
    run: RunData,
    *,
    config: dict[str, Any],
    issues: pl.DataFrame | None = None,
) -> dict[str, list[Tfl]]:
    """The TFLs of each section (:data:`SECTIONS`), each list as :func:`build_tfls` gives it."""
    return {
        section: build_tfls(run, config=config, issues=issues, sections=(section,))
        for section in SECTIONS
    }


def order_tfls(tfls: Sequence[Tfl]) -> list[Tfl]:
    """``tfls`` in TFL order: tables (14.x) then listings (16.x) in number order."""
    return sorted(tfls, key=_order)


def read_issues(run_dir: Path, *, rule_prefix: str | None = None) -> pl.DataFrame | None:
    """``validation/issues.csv`` of the run folder, or None; with ``rule_prefix`` only the rows
    of the rules it starts (``ELG``: the eligibility listing's), filtered while reading.

    Column types are inferred from the whole file either way, so the rows kept are the same
    values as in the whole table.
    """
    path = run_dir / "validation" / "issues.csv"
    if not path.is_file():
        return None
    issues = pl.scan_csv(path, infer_schema_length=None)
    if rule_prefix is not None and "RULE" in issues.collect_schema().names():
        issues = issues.filter(pl.col("RULE").str.starts_with(rule_prefix))
    return issues.collect()


#: advisit columns of the change-from-baseline table (Table 14.2.5), besides the parameters.
_ADVISIT_KEYS: tuple[str, ...] = (
    "USUBJID",
    "DOSELVL",
    "AVISIT",
    "AVISITN",
    "ADY",
    "SRCDOM",
    "SRCSEQ",
    "ANL01FL",
    "ABLFL",
)
#: adcm columns of the CRS/ICANS listing (tocilizumab and glucocorticoids per episode).
_ADCM_COLUMNS: tuple[str, ...] = ("USUBJID", "CMSTDT", "DRUG", "GCFL", "CARTTXFL")


def _scan(path: Path) -> pl.LazyFrame | None:
    return pl.scan_parquet(path) if path.is_file() else None


def _read_columns(path: Path, columns: Sequence[str], *, rows: pl.Expr | None = None):
    """``path`` with only ``columns`` (all of them when one is missing: the TFL says what it
    lacks), keeping the ``rows`` (when given and every column is there)."""
    scan = _scan(path)
    if scan is None:
        return None
    if not set(columns) <= set(scan.collect_schema().names()):
        return scan.collect()
    scan = scan.select(columns)
    return (scan.filter(rows) if rows is not None else scan).collect()


def read_tfl_run(run_dir: Path) -> RunData:
    """The datasets of ``run_dir`` the TFLs read, and only what they read of them.

    adrs (millions of rows at scale) stays a lazy scan: each efficacy table aggregates the
    columns and rows it needs (:func:`outcomes.report.tfl.efficacy.summarize_responders`).
    advisit keeps the change table's columns and its rows (analysis or baseline records of a
    dose level); adcm the CRS/ICANS listing's columns. The other datasets are read whole.
    """
    from outcomes.report.load import DATASETS
    from outcomes.report.tfl.efficacy import CHANGE_PARAMS

    frames: dict[str, pl.DataFrame | pl.LazyFrame | None] = {}
    for name, rel in DATASETS.items():
        path = run_dir / rel
        if name == "adrs":
            frames[name] = _scan(path)
        elif name == "advisit":
            scan = _scan(path)
            names = scan.collect_schema().names() if scan is not None else []
            params = [p for p in CHANGE_PARAMS if p in names]
            frames[name] = _read_columns(
                path,
                [*_ADVISIT_KEYS, *params],
                rows=(pl.col("ANL01FL") | pl.col("ABLFL")) & pl.col("DOSELVL").is_not_null(),
            )
        elif name == "adcm":
            frames[name] = _read_columns(path, _ADCM_COLUMNS)
        else:
            frames[name] = pl.read_parquet(path) if path.is_file() else None
    missing = tuple(rel for name, rel in DATASETS.items() if frames[name] is None)
    return RunData(frames, {}, None, missing)  # type: ignore[arg-type]
