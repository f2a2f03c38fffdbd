"""The export tables of data-contract.md §1, declared once.

Each table is a list of :class:`ColumnSpec`; :func:`export_schema` turns it into a pandera
``DataFrameSchema`` for the typed table, and the README's input dictionary is generated from the
same specs. ``required`` is ``"yes"``, ``"no"`` or a condition in words (``"if LDFL=Y"``), exactly
as in the contract; conditional requirements are checked by the validator's rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

from outcomes import contract as c


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an export table (data-contract.md §1)."""

    name: str
    type: str  # str | int | float | date | flag | bit | grade
    required: str  # "yes" | "no" | a condition in words
    description: str
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None

    @property
    def is_required(self) -> bool:
        """True when the column must be present in every export (``required == "yes"``).

        A conditional column (``"if LDFL=Y"``) may be absent when no record needs it; the
        condition is checked record by record by the validator (VAL-010, DAT-007), and the
        typed table gets the column as nulls.
        """
        return self.required == "yes"


def _sledai_specs() -> list[ColumnSpec]:
    specs = [
        ColumnSpec(
            item.column,
            "bit",
            "yes",
            f"SLEDAI-2K descriptor {item.code} (weight {item.weight}, {item.organ}); "
            "1 = present and attributed to SLE within the 10-day window",
        )
        for item in c.SLEDAI_ITEMS
    ]
    specs += [
        ColumnSpec(
            col,
            "flag",
            "no",
            f"{code}: Y = new onset or recurrence (SELENA-SLEDAI scoring, endpoints.md §1.3)",
            allowed=c.FLAG_VALUES,
        )
        for code, col in zip(c.SELENA_ONSET_ITEMS, c.SELENA_ONSET_COLUMNS, strict=True)
    ]
    return specs


EXPORT_COLUMNS: dict[str, tuple[ColumnSpec, ...]] = {
    "subjects": (
        ColumnSpec("STUDYID", "str", "yes", "Study identifier"),
        ColumnSpec("USUBJID", "str", "yes", "Unique subject identifier"),
        ColumnSpec("SITEID", "str", "yes", "Site"),
        ColumnSpec("AGE", "int", "yes", "Age in years at consent", minimum=0, maximum=120),
        ColumnSpec("SEX", "str", "yes", "Sex: M or F", allowed=c.SEX_VALUES),
        ColumnSpec("WEIGHT", "float", "no", "Baseline body weight, kg", minimum=20, maximum=300),
        ColumnSpec("CONSDT", "date", "yes", "Informed consent date"),
        ColumnSpec("DOSELVL", "str", "if infused", "Dose level label, ordered by config"),
        ColumnSpec("DOSE", "float", "no", "Infused dose, 10^6 CAR-T cells/kg", minimum=0),
        ColumnSpec("LDFL", "flag", "yes", "Lymphodepletion given", allowed=c.FLAG_VALUES),
        ColumnSpec("LDSTDT", "date", "if LDFL=Y", "First day of lymphodepletion"),
        ColumnSpec("INFDT", "date", "no", "CAR-T infusion date = study Day 0"),
        ColumnSpec("EOSSTT", "str", "yes", "End-of-study status", allowed=c.EOSSTT_VALUES),
        ColumnSpec("EOSDT", "date", "if not ONGOING", "End-of-study date"),
        ColumnSpec(
            "DCSREAS",
            "str",
            "if DISCONTINUED",
            "Reason for discontinuation",
            allowed=c.DCSREAS_VALUES,
        ),
        ColumnSpec("DTHDT", "date", "no", "Date of death"),
        ColumnSpec("LSTALVDT", "date", "no", "Last date known alive"),
    ),
    "assessments": (
        ColumnSpec("USUBJID", "str", "yes", "Unique subject identifier"),
        ColumnSpec("VISIT", "str", "yes", "Visit as collected", allowed=c.DEFAULT_VISIT_LABELS),
        ColumnSpec("ASMDT", "date", "yes", "Assessment date"),
        *_sledai_specs(),
        ColumnSpec("PGA", "float", "yes", "Physician global assessment, 0-3", minimum=0, maximum=3),
        *(
            ColumnSpec(
                col, "grade", "yes", f"BILAG-2004 grade, domain {dom}", allowed=c.BILAG_GRADES
            )
            for dom, col in zip(c.BILAG_DOMAINS, c.BILAG_COLUMNS, strict=True)
        ),
        ColumnSpec(
            "HAEMOLYSIS", "flag", "no", "Active autoimmune haemolysis", allowed=c.FLAG_VALUES
        ),
        ColumnSpec("DSDNA", "float", "no", "Anti-dsDNA result", minimum=0),
        ColumnSpec("DSDNAULN", "float", "no", "Anti-dsDNA upper limit of normal", minimum=0),
        ColumnSpec("C3", "float", "no", "Complement C3, g/L", minimum=0),
        ColumnSpec("C3LLN", "float", "no", "C3 lower limit of normal, g/L", minimum=0),
        ColumnSpec("C4", "float", "no", "Complement C4, g/L", minimum=0),
        ColumnSpec("C4LLN", "float", "no", "C4 lower limit of normal, g/L", minimum=0),
        ColumnSpec("UPCR", "float", "no", "Urine protein/creatinine ratio, g/g", minimum=0),
        ColumnSpec(
            "FLARE",
            "str",
            "no",
            "Investigator-declared flare since the last assessment",
            allowed=c.FLARE_VALUES,
        ),
    ),
    "medications": (
        ColumnSpec("USUBJID", "str", "yes", "Unique subject identifier"),
        ColumnSpec("CMSEQ", "int", "yes", "Sequence number, unique within subject", minimum=1),
        ColumnSpec("CMTRT", "str", "yes", "Drug name (INN preferred)"),
        ColumnSpec("CMCLAS", "str", "no", "Class override", allowed=c.CMCLAS_VALUES),
        ColumnSpec("CMDOSE", "float", "yes", "Dose per administration", minimum=0),
        ColumnSpec("CMDOSU", "str", "yes", "Dose unit", allowed=c.CMDOSU_VALUES),
        ColumnSpec("CMDOSFRQ", "str", "yes", "Dosing frequency", allowed=c.CMDOSFRQ_VALUES),
        ColumnSpec("CMROUTE", "str", "yes", "Route", allowed=c.CMROUTE_VALUES),
        ColumnSpec("CMINDC", "str", "no", "Indication", allowed=c.CMINDC_VALUES),
        ColumnSpec("CMSTDT", "date", "yes", "Start date"),
        ColumnSpec("CMENDT", "date", "no", "End date; missing = ongoing"),
    ),
    "adverse_events": (
        ColumnSpec("USUBJID", "str", "yes", "Unique subject identifier"),
        ColumnSpec("AESEQ", "int", "yes", "Sequence number, unique within subject", minimum=1),
        ColumnSpec("AETERM", "str", "yes", "Reported term"),
        ColumnSpec("AEDECOD", "str", "no", "Dictionary-derived term"),
        ColumnSpec("AECAT", "str", "yes", "AE category", allowed=c.AECAT_VALUES),
        ColumnSpec("AESTDT", "date", "yes", "Onset date"),
        ColumnSpec("AEENDT", "date", "no", "Resolution date; missing = ongoing"),
        ColumnSpec(
            "AETOXGR",
            "int",
            "yes",
            "Grade 1-5 (ASTCT for CRS/ICANS, CTCAE otherwise)",
            minimum=1,
            maximum=5,
        ),
        ColumnSpec("AESER", "flag", "yes", "Serious", allowed=c.FLAG_VALUES),
        ColumnSpec("AEREL", "flag", "yes", "Related to the CAR-T product", allowed=c.FLAG_VALUES),
    ),
    "labs": (
        ColumnSpec("USUBJID", "str", "yes", "Unique subject identifier"),
        ColumnSpec("LBTESTCD", "str", "yes", "Test code (ANC, WBC, HGB, PLT, ALT, ...)"),
        ColumnSpec("LBSTRESN", "float", "yes", "Result in standard units"),
        ColumnSpec("LBSTRESU", "str", "yes", "Unit as recorded"),
        ColumnSpec("LBSTNRLO", "float", "no", "Reference range, lower limit"),
        ColumnSpec("LBSTNRHI", "float", "no", "Reference range, upper limit"),
        ColumnSpec("LBDT", "date", "yes", "Sample date"),
    ),
}

_DTYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "date": pl.Date(),
    "flag": pl.String(),
    "bit": pl.Int8(),
    "grade": pl.String(),
}


def polars_dtype(spec: ColumnSpec) -> pl.DataType:
    """Polars dtype of a typed export column (flags and grades stay text, bits are Int8)."""
    return _DTYPES[spec.type]


def _checks(spec: ColumnSpec) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if spec.allowed is not None:
        checks.append(pa.Check.isin(list(spec.allowed)))
    if spec.type == "bit":
        checks.append(pa.Check.isin([0, 1]))
    if spec.minimum is not None:
        checks.append(pa.Check.ge(spec.minimum))
    if spec.maximum is not None:
        checks.append(pa.Check.le(spec.maximum))
    return checks


def export_schema(table: str, *, visit_labels: tuple[str, ...] | None = None) -> pa.DataFrameSchema:
    """Pandera schema of one typed export table.

    Parameters
    ----------
    table
        Table name (data-contract.md §1).
    visit_labels
        Allowed ``VISIT`` labels when a study configures its own; default the contract's.
    """
    columns = {}
    for spec in EXPORT_COLUMNS[table]:
        if spec.name == "VISIT" and visit_labels is not None:
            spec = ColumnSpec(
                spec.name, spec.type, spec.required, spec.description, allowed=visit_labels
            )
        columns[spec.name] = pa.Column(
            polars_dtype(spec),
            checks=_checks(spec),
            nullable=spec.required != "yes",
            required=spec.is_required,
            description=spec.description,
            metadata={"contract_type": spec.type, "required": spec.required},
        )
    return pa.DataFrameSchema(columns, name=table, strict=False)


def export_schemas(*, visit_labels: tuple[str, ...] | None = None) -> dict[str, pa.DataFrameSchema]:
    """Schemas of every export table, keyed by table name."""
    return {t: export_schema(t, visit_labels=visit_labels) for t in EXPORT_COLUMNS}
