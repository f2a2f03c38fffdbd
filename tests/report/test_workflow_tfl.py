"""The demo-like workflow run: TFL files per section and combined, and one safety answer.

The CRS, ICANS and ICAHT counts of report.html agree wherever they appear: the key results,
Table 14.3.1 (n/N), Table 14.3.2 (by grade) and Table 14.3.3 (ICAHT by source).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import docx
import pytest

from tests.workflow_support import shared_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_run(tmp_path_factory)


def _cells(page: str, row_id: str) -> list[str]:
    match = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', page)
    assert match, row_id
    return [html.unescape(c) for c in re.findall(r'<td class="num">(.*?)</td>', match.group(1))]


def _n(cell: str) -> int:
    return int(re.match(r"\d+", cell).group(0))


def test_tfl_files_of_every_section_and_the_combined_documents(run_dir: Path):
    for section, stem in (
        ("efficacy", "t_14_2_1"),
        ("safety", "t_14_3_1"),
        ("listings", "l_16_2_7_1"),
    ):
        assert (run_dir / "tfl" / section / f"{stem}.rtf").read_text().startswith("{\\rtf1")
        assert (run_dir / "tfl" / section / f"{stem}.docx").is_file()
    combined = docx.Document(str(run_dir / "tfl" / "tfls.docx"))
    numbers = [combined.tables[0].cell(i, 0).text for i in range(1, len(combined.tables))]
    # Every registered endpoint has its table; every listing is there, in TFL order.
    assert numbers == [
        *[f"Table 14.2.{k}" for k in range(1, 7)],
        *[f"Table 14.3.{k}" for k in range(1, 4)],
        "Listing 16.2.2",
        *[f"Listing 16.2.7.{k}" for k in range(1, 6)],
    ]
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    primary = combined.tables[1 + numbers.index("Table 14.3.1")]
    assert (
        primary.cell(3, len(primary.columns) - 1).text == _cells(page, "table-14-3-1-crs_any")[-1]
    )


def test_report_shows_one_crs_icans_and_icaht_count_everywhere(run_dir: Path):
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    primary = {k: _cells(page, f"table-14-3-1-{k}") for k in ("crs_any", "icans_any")}
    for cat in ("crs", "icans"):
        in_grades = _cells(page, f"table-14-3-2-{cat}_any")
        for a, b in zip(primary[f"{cat}_any"], in_grades, strict=True):
            if a != "NE":
                assert _n(a) == _n(b)
        # the key results link to the same cell and show the same text
        total = primary[f"{cat}_any"][-1]
        assert f'href="#table-14-3-1-{cat}_any">{html.escape(total)}</a>' in page
    lab = _cells(page, "table-14-3-1-icaht_lab_any")
    by_grade = [_cells(page, f"table-14-3-3-grade_g{g}") for g in (1, 2, 3, 4)]
    for k, cell in enumerate(lab):
        if cell != "NE":
            assert _n(cell) == sum(_n(g[k]) for g in by_grade)
    reported = _cells(page, "table-14-3-1-icaht_ae_any")
    for a, b, c in zip(
        reported,
        _cells(page, "table-14-3-3-ae_any"),
        _cells(page, "table-14-3-2-icaht_any"),
        strict=True,
    ):
        if a != "NE":
            assert _n(a) == _n(b) == _n(c)
    # "within 3 months" in the safety section is always Day 0-91
    safety = page[page.index('id="safety"') : page.index("</section>", page.index('id="safety"'))]
    assert "Day 0-91" in safety
