"""Export (data-contract.md §1) → SDTM domains, the inverse of ``outcomes import-sdtm``.

Each rule of the mapping file is applied backwards, so that importing the written SDTM with the
same mapping gives the export back:

* DM: STUDYID, USUBJID, SITEID, AGE (AGEU = YEARS), SEX; RFICDTC = CONSDT; RFXSTDTC = INFDT;
  DTHDTC / DTHFL from DTHDT; ARMCD = ACTARMCD = the arm code whose dose level is DOSELVL
  (the first untreated arm code when DOSELVL is empty).
* EX: one record of the CAR-T product (first ``cart_treatments`` name, ``cart_dose_unit``) on
  INFDT with DOSE; one lymphodepletion record (first ``lymphodepletion_treatments`` name) on
  LDSTDT when LDFL = Y.
* DS: one record of category ``category`` for EOSSTT COMPLETED (first ``completed_terms``) or
  DISCONTINUED (DSDECOD = DCSREAS) on EOSDT; none while ONGOING.
* CM, AE, LB: one record per export row, the contract columns under their SDTM names.
* RS (or QS): one record per filled assessment column, test code from ``activity.tests``.

Not carried (no SDTM home in this mapping): subjects.WEIGHT and subjects.LSTALVDT; an
assessment with no filled column; a discontinuation without a reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from outcomes.errors import OutcomesError
from outcomes.interop.dataset_json import write_dataset_json
from outcomes.interop.mapping import SdtmMapping
from outcomes.interop.metadata import create_dataset_metadata
from outcomes.interop.sdtm_activity import ITEM_SPECS
from outcomes.interop.xpt import write_xpt
from outcomes.io import atomic
from outcomes.io.export import read_export

FORMATS: tuple[str, ...] = ("parquet", "csv", "xpt", "json")


def _iso(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%d")


def _sequenced(frame: pl.LazyFrame, *, domain: str) -> pl.LazyFrame:
    seq = (pl.int_range(pl.len()) + 1).over("USUBJID").cast(pl.Int64).alias(f"{domain}SEQ")
    return frame.with_columns(pl.lit(domain).alias("DOMAIN"), seq)


def create_dm(subjects: pl.LazyFrame, *, mapping: SdtmMapping) -> pl.LazyFrame:
    """DM from the subjects table (one record per subject, export order)."""
    rules = mapping.subjects
    arm_of = {level: arm for arm, level in reversed(list(rules.dose_levels.items()))}
    untreated = rules.untreated_arms[0] if rules.untreated_arms else None
    arm = pl.col("DOSELVL").replace_strict(arm_of, default=pl.col("DOSELVL"))
    arm = pl.when(pl.col("DOSELVL").is_null()).then(pl.lit(untreated)).otherwise(arm)
    return subjects.select(
        "STUDYID",
        pl.lit("DM").alias("DOMAIN"),
        "USUBJID",
        "SITEID",
        "AGE",
        pl.lit("YEARS").alias("AGEU"),
        "SEX",
        _iso("CONSDT").alias("RFICDTC"),
        _iso("INFDT").alias("RFXSTDTC"),
        _iso("DTHDT").alias("DTHDTC"),
        pl.when(pl.col("DTHDT").is_not_null()).then(pl.lit("Y")).alias("DTHFL"),
        arm.alias("ARMCD"),
        arm.alias("ACTARMCD"),
    )


def create_ex(subjects: pl.LazyFrame, *, mapping: SdtmMapping) -> pl.LazyFrame:
    """EX: the CAR-T infusion and the start of lymphodepletion of each subject."""
    rules = mapping.subjects
    cart = subjects.filter(pl.col("INFDT").is_not_null()).select(
        "STUDYID",
        "USUBJID",
        pl.lit(rules.cart_treatments[0]).alias("EXTRT"),
        pl.col("DOSE").alias("EXDOSE"),
        pl.lit(rules.cart_dose_unit).alias("EXDOSU"),
        _iso("INFDT").alias("EXSTDTC"),
    )
    ld = subjects.filter(pl.col("LDFL") == "Y").select(
        "STUDYID",
        "USUBJID",
        pl.lit(rules.lymphodepletion_treatments[0]).alias("EXTRT"),
        pl.lit(None, dtype=pl.Float64).alias("EXDOSE"),
        pl.lit(None, dtype=pl.String).alias("EXDOSU"),
        _iso("LDSTDT").alias("EXSTDTC"),
    )
    return _sequenced(pl.concat([ld, cart]).sort("USUBJID", maintain_order=True), domain="EX")


def create_ds(subjects: pl.LazyFrame, *, mapping: SdtmMapping) -> pl.LazyFrame:
    """DS: one end-of-study disposition record per subject who is no longer ongoing."""
    rules = mapping.disposition
    term = (
        pl.when(pl.col("EOSSTT") == "COMPLETED")
        .then(pl.lit(rules.completed_terms[0]))
        .otherwise(pl.col("DCSREAS"))
    )
    done = subjects.filter(pl.col("EOSSTT") != "ONGOING").select(
        "STUDYID",
        "USUBJID",
        pl.lit(rules.category).alias("DSCAT"),
        term.alias("DSDECOD"),
        term.alias("DSTERM"),
        _iso("EOSDT").alias("DSSTDTC"),
    )
    return _sequenced(done, domain="DS")


def create_activity(assessments: pl.LazyFrame, *, mapping: SdtmMapping) -> pl.LazyFrame:
    """RS (or QS): one record per filled assessment column, in export row and column order."""
    p = mapping.activity.prefix
    code_of = {col: code for code, col in mapping.activity.tests.items()}
    columns = [s.name for s in ITEM_SPECS if s.name in code_of]
    long = (
        assessments.with_row_index("_ROW")
        .select("_ROW", "USUBJID", "VISIT", "ASMDT", *[pl.col(n).cast(pl.String) for n in columns])
        .unpivot(index=["_ROW", "USUBJID", "VISIT", "ASMDT"], on=columns, variable_name="_COL")
        .filter(pl.col("value").is_not_null())
        .with_columns(
            pl.col("_COL")
            .replace_strict({n: i for i, n in enumerate(columns)}, return_dtype=pl.Int64)
            .alias("_POS")
        )
        .sort("_ROW", "_POS")
    )
    return _sequenced(
        long.select(
            "USUBJID",
            "VISIT",
            pl.col("_COL").replace_strict(code_of, return_dtype=pl.String).alias(f"{p}TESTCD"),
            pl.col("value").alias(f"{p}ORRES"),
            pl.col("value").alias(f"{p}STRESC"),
            _iso("ASMDT").alias(f"{p}DTC"),
        ),
        domain=p,
    )


_CM = ("USUBJID", "CMSEQ", "CMTRT", "CMCLAS", "CMDOSE", "CMDOSU", "CMDOSFRQ", "CMROUTE", "CMINDC")
_AE = ("USUBJID", "AESEQ", "AETERM", "AEDECOD", "AECAT", "AETOXGR", "AESER", "AEREL")
_LB = ("USUBJID", "LBTESTCD", "LBSTRESN", "LBSTRESU", "LBSTNRLO", "LBSTNRHI")


def create_cm_ae_lb(tables: dict[str, pl.LazyFrame]) -> dict[str, pl.LazyFrame]:
    """CM, AE and LB: one record per export row, the contract columns under their SDTM names."""
    cm = tables["medications"].select(
        pl.lit("CM").alias("DOMAIN"),
        *_CM,
        _iso("CMSTDT").alias("CMSTDTC"),
        _iso("CMENDT").alias("CMENDTC"),
    )
    ae = tables["adverse_events"].select(
        pl.lit("AE").alias("DOMAIN"),
        *_AE,
        _iso("AESTDT").alias("AESTDTC"),
        _iso("AEENDT").alias("AEENDTC"),
    )
    out = {"cm": cm, "ae": ae}
    if "labs" in tables:
        lb = tables["labs"].select(*_LB, _iso("LBDT").alias("LBDTC"))
        out["lb"] = _sequenced(lb, domain="LB")
    return out


def _write(frame: pl.DataFrame, path: Path, *, fmt: str, study_oid: str, created: dt.date) -> None:
    if fmt == "parquet":
        atomic.write_parquet(frame, path)
    elif fmt == "csv":
        atomic.write_csv(frame, path)
    else:
        meta = create_dataset_metadata(frame, name=path.stem, label=path.stem.upper())
        if fmt == "xpt":
            write_xpt(frame, path, meta=meta, created=created)
        else:
            write_dataset_json(frame, path, meta=meta, created=created, study_oid=study_oid)


def write_sdtm(
    export_dir: Path, out_dir: Path, *, mapping: SdtmMapping, fmt: str, created: dt.date
) -> dict[str, Path]:
    """Convert an export folder into SDTM domain files in ``out_dir``; return paths by domain.

    Parameters
    ----------
    export_dir
        Export folder (data-contract.md §1).
    out_dir
        Output folder: ``dm``, ``ex``, ``ds``, ``cm``, ``ae``, ``lb`` and the activity domain.
    mapping
        The mapping that :func:`~outcomes.interop.sdtm_import.import_sdtm` will use.
    fmt
        ``parquet``, ``csv``, ``xpt`` (SAS XPT v5) or ``json`` (Dataset-JSON v1.1).
    created
        Dataset-JSON creation timestamp (the data cut, for byte-identical reruns).

    Raises
    ------
    OutcomesError
        When ``fmt`` is not one of parquet, csv, xpt, json.
    """
    if fmt not in FORMATS:
        raise OutcomesError(f"write_sdtm: format {fmt!r} is not one of {', '.join(FORMATS)}.")
    tables = {t: f.lazy() for t, f in read_export(export_dir).items()}
    subjects = tables["subjects"]
    domains = {
        "dm": create_dm(subjects, mapping=mapping),
        "ex": create_ex(subjects, mapping=mapping),
        "ds": create_ds(subjects, mapping=mapping),
        mapping.files["activity"][0]: create_activity(tables["assessments"], mapping=mapping),
        **create_cm_ae_lb(tables),
    }
    study = subjects.select(pl.col("STUDYID").first()).collect().item() or "STUDY"
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in domains.items():
        stem = mapping.files["lb"][0] if name == "lb" else name
        paths[name] = out_dir / f"{stem}.{fmt}"
        _write(frame.collect(), paths[name], fmt=fmt, study_oid=str(study), created=created)
    return paths
