"""Property: text of any length (ASCII or multi-byte, up to 10,000 bytes) in any text column
never makes ``validate`` fail; over 200 bytes it is a TRN-001 warning with its length."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.configuration import load_config
from outcomes.schemas.export import EXPORT_COLUMNS
from outcomes.simulate import simulate_export
from outcomes.validate import validate_export

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


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    simulate_export(subjects=8, seed=5, out=out)
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(column=st.sampled_from(TEXT_COLUMNS), text=TEXT)
def test_validate__any_text_length_in_any_text_column(clean: Path, column, text: str):
    table, name = column
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export"
        shutil.copytree(clean, export)
        frame = pl.read_csv(export / f"{table}.csv", infer_schema=False)
        frame = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == 0)
            .then(pl.lit(text))
            .otherwise(pl.col(name))
            .alias(name)
        )
        frame.write_csv(export / f"{table}.csv")
        report = validate_export(export, config=load_config(), data_cut=None)
    long = report.issues.filter(
        (pl.col("RULE") == "TRN-001") & (pl.col("TABLE") == table) & (pl.col("COLUMN") == name)
    )
    size = len(text.encode("utf-8"))
    assert long.height == (1 if size > 200 else 0)
    if long.height:
        assert f"the text is {size} bytes long" in long["MESSAGE"].item()
