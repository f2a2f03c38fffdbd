"""Property: any number and any text reach both transport files without an error; Dataset-JSON
keeps them exactly and XPT keeps what it can hold (text whole across its parts)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.contract import XPT_NUMBER_MAX, XPT_NUMBER_MIN
from outcomes.interop.adam_out import write_adam_dataset
from outcomes.interop.dataset_json import read_dataset_json
from outcomes.interop.xpt import read_xpt

NUMBERS = st.one_of(
    st.floats(min_value=-1e308, max_value=1e308, allow_nan=False, allow_subnormal=True),
    st.sampled_from([0.0, 5e-324, -5e-324, 1e-80, 7.3e75, -1e308, 1e308]),
)
TEXT = st.one_of(
    st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=10_000),
    st.text(alphabet="肺炎 é ü 🙂 ab", max_size=2_500),  # up to 10,000 UTF-8 bytes
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(number=NUMBERS, text=TEXT)
def test_transport__any_magnitude_and_length(number: float, text: str):
    frame = pl.DataFrame(
        {"USUBJID": ["S-1", "S-2"], "AESEQ": [1, 2], "AETERM": [text, "x"], "AVAL": [number, 1.0]}
    )
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        write_adam_dataset(frame, out, name="adae", created=dt.date(2027, 1, 1), study_oid="S")
        full = read_dataset_json(out / "adae.json")
        xpt = read_xpt(out / "adae.xpt").frame
    assert full["AETERM"][0] == text
    assert full["AVAL"][0] == number
    parts = [c for c in xpt.columns if c.startswith("AETERM") or c.startswith("AETER")]
    assert "".join(xpt.row(0, named=True)[c] for c in parts) == text.rstrip(" ")
    fits = number == 0 or XPT_NUMBER_MIN <= abs(number) <= XPT_NUMBER_MAX
    assert xpt["AVAL"][0] == (number if fits else None)
