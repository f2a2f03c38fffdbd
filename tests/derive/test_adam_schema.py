"""Tests of outcomes.schemas.adam and outcomes.schemas.dictionary (the data dictionary)."""

from __future__ import annotations

import pandera.errors as pa_errors
import polars as pl
import pytest

from outcomes.schemas.adam import ADSL, ADVISIT, advisit_schema
from outcomes.schemas.dictionary import render_data_dictionary, render_schema_markdown
from outcomes.schemas.export import EXPORT_COLUMNS

#: Column names fixed by docs/architecture.md.
ARCH_ADVISIT = [
    "STUDYID",
    "USUBJID",
    "DOSELVL",
    "SRCDOM",
    "SRCSEQ",
    "VISIT",
    "ADT",
    "ADY",
    "AVISIT",
    "AVISITN",
    "ANL01FL",
    "ABLFL",
    "SLEDAI2K",
    "SDK2KLO",
    "SDK2KHI",
    "CSLEDAI",
    "CSLEDLO",
    "CSLEDHI",
    "SELENA",
    "SELENALO",
    "SELENAHI",
    "PGA",
    "BILAGSC",
    "BILNEWA",
    "BILNEWB",
    "GCDOSE",
    "GCSLEDOS",
    "ISFL",
    "BIOFL",
    "AMFL",
    "INVFL",
    "ISOVRFL",
    "ISSTBLFL",
    "DORSLEFL",
    "DORPGAFL",
    "DORGCFL",
    "DORSTBFL",
    "DORISFL",
    "SEROINFL",
    "DCLONFL",
    "DCMONFL",
    "DCLOFFFL",
    "DCMOFFFL",
    "DFGCFL",
    "DFISFL",
    "DFAMFL",
    "DFREMFL",
    "DFREMSFL",
    "LLC1FL",
    "LLC2FL",
    "LLC3FL",
    "LLC4FL",
    "LLC5FL",
    "LLDASFL",
    "SRISSFL",
    "SRIBILFL",
    "SRIPGAFL",
    "SRI4FL",
    "INVFLRFL",
    "BILFLRFL",
    "BILFLRSV",
    "FLAREFL",
]
ARCH_ADSL = [
    "STUDYID",
    "USUBJID",
    "SITEID",
    "AGE",
    "SEX",
    "WEIGHT",
    "DOSELVL",
    "DOSELVLN",
    "LDFL",
    "LDSTDT",
    "TRTSDT",
    "SAFFL",
    "EFFFL",
    "ELIGFL",
    "DCUTDT",
    "EOSSTT",
    "EOSDT",
    "DCSREAS",
    "DTHDT",
    "DTHFL",
    "LSTALVDT",
    "BLDT",
    "BLSEQ",
    "GCDOSEBL",
    "SLEDAIBL",
    "SELENABL",
    "CSLEDBL",
    "BILAGBL",
    "PGABL",
    "LSTASMDT",
]


def test_schemas_hold_every_architecture_column_with_a_description():
    assert set(ARCH_ADVISIT) <= set(ADVISIT.columns)
    assert set(ARCH_ADSL) <= set(ADSL.columns)
    for schema in (ADSL, ADVISIT):
        for name, column in schema.columns.items():
            assert column.description, name
            if name not in {s.name for s in EXPORT_COLUMNS["assessments"]}:
                assert len(name) <= 8, name  # derived names are XPT-safe (§16.22)
            assert name == name.upper()


def test_advisit_schema_adds_sri_k_flags():
    assert "SRI6FL" in advisit_schema((5, 6)).columns
    assert "SRI6FL" not in ADVISIT.columns


def test_schema_rejects_a_string_flag():
    frame = pl.DataFrame(
        {
            "USUBJID": ["S01"],
            "SRCDOM": ["ASSESSMENTS"],
            "SRCSEQ": [1],
            "VISIT": ["DAY 14"],
            "ADT": [None],
            "DORISFL": ["Y"],
        },
        schema_overrides={"ADT": pl.Date},
    )
    schema = ADVISIT.__class__({k: ADVISIT.columns[k] for k in frame.columns}, name="advisit")
    with pytest.raises(pa_errors.SchemaErrors):
        schema.validate(frame, lazy=True)


def test_render_data_dictionary_lists_each_column():
    text = render_data_dictionary()
    assert text.startswith("## Data dictionary")
    assert "### adsl" in text and "### advisit" in text
    assert "| `DORISFL` | Boolean | yes | DORIS 2021 remission (§5.1) |" in text
    assert "| `USUBJID` | String | no | Unique subject identifier |" in text


def test_render_schema_markdown_escapes_pipes():
    import pandera.polars as pa

    schema = pa.DataFrameSchema({"X": pa.Column(pl.Int64, description="a | b")}, name="t")
    assert "| `X` | Int64 | no | a \\| b |" in render_schema_markdown(schema)
