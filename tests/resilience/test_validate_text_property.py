"""Property: text of any length (ASCII or multi-byte, up to 10,000 bytes) in any text column
never makes ``validate`` fail; over 200 bytes it is a TRN-001 warning with its length."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.configuration import load_config
from outcomes.schemas.export import EXPORT_COLUMNS
from outcomes.validate import validate_export
from tests.resilience.conftest import write_cell

TEXT = st.one_of(
    st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=10_000),
    st.text(alphabet="肺炎é🙂 ", min_size=1, max_size=2_500),
)
TEXT_COLUMNS = [
    (table, spec.name)
    for table in ("subjects", "medications", "adverse_events")
    for spec in EXPORT_COLUMNS[table]
    if spec.type == "str"
]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(column=st.sampled_from(TEXT_COLUMNS), text=TEXT)
def test_validate__any_text_length_in_any_text_column(clean: Path, column, text: str):
    table, name = column
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export"
        write_cell(clean, export, table=table, column=name, text=text)
        report = validate_export(export, config=load_config(), data_cut=None)
    long = report.issues.filter(
        (pl.col("RULE") == "TRN-001") & (pl.col("TABLE") == table) & (pl.col("COLUMN") == name)
    )
    size = len(text.encode("utf-8"))
    assert long.height == (1 if size > 200 else 0)
    if long.height:
        assert f"the text is {size} bytes long" in long["MESSAGE"].item()
