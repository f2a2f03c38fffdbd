"""Property: a number of any magnitude (0 to 1e308, negative, subnormal) in any numeric column
never makes ``validate`` fail or the value silently disappear: from
``validation.implausible_magnitude`` on it is a VAL-013 warning naming the value."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.configuration import load_config
from outcomes.io.export import NUMBER_TYPES
from outcomes.schemas.export import EXPORT_COLUMNS
from outcomes.validate import validate_export
from tests.resilience.conftest import write_cell

MAGNITUDE = st.one_of(
    st.floats(min_value=0, max_value=1e308, allow_nan=False),
    st.floats(min_value=-1e308, max_value=0, allow_nan=False),
    st.sampled_from([5e-324, -5e-324, 1e9, 999_999_999.0, 1e18, 1e30, 1.7976931348623157e308]),
)
NUMBER_COLUMNS = [
    (table, spec.name)
    for table in ("subjects", "assessments", "medications", "adverse_events", "labs")
    for spec in EXPORT_COLUMNS[table]
    if spec.type in NUMBER_TYPES
]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(column=st.sampled_from(NUMBER_COLUMNS), value=MAGNITUDE)
def test_validate__any_magnitude_in_any_numeric_column(clean: Path, column, value: float):
    table, name = column
    text = repr(value)
    config = load_config()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export"
        write_cell(clean, export, table=table, column=name, text=text)
        report = validate_export(export, config=config, data_cut=None)
    found = report.issues.filter(
        (pl.col("TABLE") == table) & (pl.col("COLUMN") == name) & (pl.col("ROW") == 1)
    )
    implausible = found.filter(pl.col("RULE") == "VAL-013")
    limit = config["validation"]["implausible_magnitude"]
    is_int = any(s.name == name and s.type == "int" for s in EXPORT_COLUMNS[table])
    if is_int and (value != int(value) or abs(value) >= 2**63):
        assert "VAL-004" in found["RULE"].to_list()  # a fraction, or beyond 64 bits
    elif abs(value) >= limit:
        assert implausible.height == 1
        assert implausible["VALUE"].item() == text
    else:
        assert implausible.height == 0
