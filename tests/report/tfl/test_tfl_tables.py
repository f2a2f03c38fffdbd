"""TFLs of the hand-built run (tests/report/report_builders.py); expected cells typed by hand.

Safety set: S01, S02 (DL1), S03, S04, S06 (DL2); DL3 has nobody; S05 not infused. Related AEs
Day 0-91: S01 CRS grade 1, S03 CRS grade 3; S04's grade 5 infection is not related. Laboratory
ICAHT: S01 grade 0, S02 1, S03 3 (early) / 2 (late), S04 and S06 not evaluable.
"""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.report.load import read_run
from outcomes.report.params import ReportParams
from outcomes.report.render import build_report
from outcomes.report.tfl.catalogue import build_tfls
from outcomes.report.tfl.key_results import QUESTIONS, create_key_results

from ..report_builders import report_config

HEADERS = ("DL1 (N=2)", "DL2 (N=3)", "DL3 (N=0)", "Total (N=5)")


@pytest.fixture()
def tfls(run_dir):
    return {t.number: t for t in build_tfls(read_run(run_dir), config=report_config())}


def _row(tfl, key):
    return next(r.cells for r in tfl.rows if r.key == key)


def test_primary_safety_table(tfls):
    t = tfls["Table 14.3.1"]
    assert t.columns == HEADERS
    assert t.population == "Safety analysis set"
    assert _row(t, "any_any") == (
        "1/2 (50.0) [1.3, 98.7]",
        "1/3 (33.3) [0.8, 90.6]",
        "NE",
        "2/5 (40.0) [5.3, 85.3]",
    )
    assert _row(t, "crs_sev")[3] == "1/5 (20.0) [0.5, 71.6]"
    assert _row(t, "infection_any")[3] == "0/5 (0) [0.0, 52.2]"
    assert _row(t, "icaht_lab_any") == (
        "1/2 (50.0) [1.3, 98.7]",
        "1/3 (33.3) [0.8, 90.6]",
        "NE",
        "2/5 (40.0) [5.3, 85.3]",
    )
    assert _row(t, "icaht_lab_sev")[3] == "1/5 (20.0) [0.5, 71.6]"
    assert _row(t, "icaht_ae_any")[3] == "0/5 (0) [0.0, 52.2]"
    assert any("Day 0-91" in f for f in t.footnotes)
    assert t.source_line.startswith("Source: adam/adae.parquet")


def test_grade_table_shows_every_category_and_grade_with_zeros(tfls):
    t = tfls["Table 14.3.2"]
    keys = [r.key for r in t.rows]
    for cat in ("any", "crs", "icans", "icaht", "infection", "gvhd", "iec-hs", "licats", "other"):
        for grade in ("any", "g1", "g2", "g3", "g4", "g5", "ge3"):
            assert f"{cat}_{grade}" in keys
    assert _row(t, "crs_g1") == ("1 (50.0)", "0", "0", "1 (20.0)")
    assert _row(t, "crs_g3") == ("0", "1 (33.3)", "0", "1 (20.0)")
    assert _row(t, "infection_any") == ("0", "0", "0", "0")


def test_icaht_table_lab_grade_beside_ae_count(tfls):
    t = tfls["Table 14.3.3"]
    assert _row(t, "grade_g0") == ("1 (50.0)", "0", "0", "1 (20.0)")
    assert _row(t, "grade_g3") == ("0", "1 (33.3)", "0", "1 (20.0)")
    assert _row(t, "grade_ne") == ("0", "2 (66.7)", "0", "2 (40.0)")
    assert _row(t, "ae_any") == ("0", "0", "0", "0")


def test_crs_icans_and_icaht_counts_agree_across_the_safety_tables(tfls):
    primary, grades, icaht = tfls["Table 14.3.1"], tfls["Table 14.3.2"], tfls["Table 14.3.3"]
    for col in (0, 1, 3):  # DL3 has N = 0: NE in the primary table
        for cat in ("crs", "icans"):
            n_primary = primary.cell(f"{cat}_any", col).split("/")[0]
            assert grades.cell(f"{cat}_any", col).split(" ")[0] == n_primary
        lab_ge1 = sum(int(icaht.cell(f"grade_g{g}", col).split(" ")[0]) for g in (1, 2, 3, 4))
        assert str(lab_ge1) == primary.cell("icaht_lab_any", col).split("/")[0]


def test_every_registered_question_has_its_line_and_numbers_equal_table_cells(run_dir):
    config = report_config()
    run = read_run(run_dir)
    content = build_report(
        run,
        config=config,
        params=ReportParams.from_config(config["report"]),
        checksums={},
        versions={},
    )
    lines = create_key_results(list(content.tfls), conf_level=0.95, obd=run.tables.get("obd"))
    assert [line.key for line in lines] == list(QUESTIONS)
    by_number = {t.number: t for t in content.tfls}
    safety = {item.label: item.value for item in lines[0].items}
    assert safety["any grade, DL1 (N=2)"] == "1/2 (50.0) [1.3, 98.7]"
    assert safety["any grade, Total (N=5)"] == "2/5 (40.0) [5.3, 85.3]"
    assert safety["ICAHT [laboratory]"] == "2/5 (40.0) [5.3, 85.3]"
    assert safety["ICAHT [reported as AE]"] == "0/5 (0) [0.0, 52.2]"
    for line in lines:
        assert f'id="kr-{line.key}"' in content.html
        for item in line.items:
            if item.number is None:
                continue
            assert item.value == by_number[item.number].cell(item.row, item.column)
            assert f'href="#{item.anchor}-{item.row}"' in content.html
            assert f'id="{item.anchor}-{item.row}"' in content.html
    assert content.html.index('id="key_results"') < content.html.index('id="safety"')


def test_tables_are_never_truncated(run_dir, tmp_path):
    adae = pl.read_parquet(run_dir / "adam/adae.parquet")
    many = pl.concat([adae.with_columns(pl.lit(i).alias("AESEQ")) for i in range(600)])
    many.write_parquet(run_dir / "adam/adae.parquet")
    tfls = {t.number: t for t in build_tfls(read_run(run_dir), config=report_config())}
    assert len(tfls["Listing 16.2.7.1"].rows) == 1800


def test_crs_icans_listing_shows_tocilizumab_and_steroids_given_in_the_episode(tfls):
    t = tfls["Listing 16.2.7.2"]
    assert t.columns[-2:] == ("Tocilizumab", "Glucocorticoids")
    by_subject = {r.label: r.cells[-2:] for r in t.rows}
    assert by_subject == {"S01": ("N", "N"), "S03": ("Y", "N")}
