"""The endpoint steps read parquet inputs, validate with their schemas and write their outputs."""

from __future__ import annotations

import polars as pl
from pandera.errors import SchemaErrors

from outcomes.configuration import load_config
from outcomes.schemas.endpoints import ADAE, ADEPI, ADRS, ADSAFE, ADTTE
from outcomes.steps import StepIO, load_steps
from tests.endpoints.endpoint_builders import adsl, advisit, events, ex11_visits, subject
from tests.endpoints.test_safety import AES


def _inputs(tmp_path) -> dict[str, str]:
    frames = {
        "advisit": advisit(ex11_visits("A")),
        "adsl": adsl([subject("A", 1, "2025-04-01", cut="2025-12-31")]).with_columns(
            pl.lit(None, dtype=pl.Date).alias("LDSTDT"), pl.lit("N").alias("LDFL")
        ),
        "events": events([("A", "2025-10-20", "RESCUE", 4)]),
        "adverse_events": AES.filter(pl.col("USUBJID") == "A"),
        "labs": pl.LazyFrame(
            {
                "USUBJID": ["A"],
                "LBTESTCD": ["ANC"],
                "LBSTRESN": [0.3],
                "LBSTRESU": ["10^9/L"],
                "LBDT": [subject("A", 1, "2025-04-02")["TRTSDT"]],
            }
        ),
    }
    paths = {}
    for name, frame in frames.items():
        paths[name] = str(tmp_path / f"{name}.parquet")
        frame.collect().write_parquet(paths[name])
    return paths


def test_endpoint_steps_write_valid_datasets(tmp_path):
    inputs = _inputs(tmp_path)
    config = load_config()
    steps = load_steps()
    out = {n: str(tmp_path / f"{n}.parquet") for n in ("adrs", "adepi", "adtte", "adae", "adsafe")}
    log = str(tmp_path / "log.txt")
    params = {
        "endpoints": config["endpoints"],
        "visits": config["visits"],
        "safety": config["safety"],
    }
    efficacy = {n: out[n] for n in ("adrs", "adepi", "adtte")}
    steps["create_efficacy"](StepIO(inputs, efficacy, params, log))
    steps["create_adae"](
        StepIO(inputs, {"adae": out["adae"], "adsafe": out["adsafe"]}, params, log)
    )
    for name, schema in (
        ("adrs", ADRS),
        ("adepi", ADEPI),
        ("adtte", ADTTE),
        ("adae", ADAE),
        ("adsafe", ADSAFE),
    ):
        schema.validate(pl.read_parquet(out[name]))
    adtte = pl.read_parquet(out["adtte"])
    assert adtte.filter(pl.col("PARAMCD") == "DURDFREM").select("AVAL", "CNSR", "SRCDOM").row(
        0
    ) == (
        112,
        0,
        "MEDICATIONS",  # 2025-07-01 -> rescue 2025-10-20
    )
    # ANC 0.3 from Day 1 held through Day 30 (30 days); Day 0 unknown, so not "never above".
    assert pl.read_parquet(out["adsafe"]).select("ICAHTEGR").item() == 3


def _adrs_rows(keys: list[tuple[str, str, int]]) -> pl.DataFrame:
    n = len(keys)
    return pl.DataFrame(
        {
            "USUBJID": [k[0] for k in keys],
            "DOSELVL": ["DL1"] * n,
            "PARAMCD": [k[1] for k in keys],
            "PARAM": ["label"] * n,
            "AVISIT": [f"V{k[2]}" for k in keys],
            "AVISITN": [k[2] for k in keys],
            "ADT": [None] * n,
            "AVALC": ["N"] * n,
            "AVAL": [0.0] * n,
            "DTYPE": ["NRI"] * n,
            "NRIREAS": ["MISSING"] * n,
            "SRCDOM": [None] * n,
            "SRCSEQ": [None] * n,
            "QRYFL": ["N"] * n,
        },
        schema_overrides={"ADT": pl.Date, "SRCDOM": pl.String, "SRCSEQ": pl.Int64},
    )


def test_adrs_schema_requires_rows_sorted_by_key_each_key_once():
    ok = _adrs_rows([("A", "DORIS", 3), ("A", "DORIS", 6), ("A", "LLDAS", 3), ("B", "DORIS", 3)])
    ADRS.validate(ok)
    duplicate = _adrs_rows([("A", "DORIS", 3), ("A", "DORIS", 3), ("B", "DORIS", 3)])
    unsorted = _adrs_rows([("A", "LLDAS", 3), ("A", "DORIS", 6), ("B", "DORIS", 3)])
    for frame, bad_row in ((duplicate, 1), (unsorted, 1)):
        try:
            ADRS.validate(frame, lazy=True)
        except SchemaErrors as exc:
            assert exc.failure_cases["index"].to_list() == [bad_row]
            assert "sorted by USUBJID, PARAMCD, AVISITN" in exc.failure_cases["check"][0]
        else:
            raise AssertionError("the adrs schema accepted a repeated or unsorted key")
