"""ReportParams: built from config, cross-field problems name the key."""

from __future__ import annotations

import pytest

from outcomes.errors import ConfigError
from outcomes.report.params import ReportParams, _check_report_section

from .report_builders import report_config


def test_from_config__fields():
    params = ReportParams.from_config(report_config()["report"])
    assert params.at_risk_days == (1, 92, 183)
    assert params.section_order[0] == "cover"
    assert "95% clopper-pearson interval" in params.describe()[1]


def test_no_defaults():
    with pytest.raises(TypeError):
        ReportParams()  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("section_order", ["cover", "cover"], r"report.section_order: a section is listed more"),
        ("section_order", ["cover", "appendix"], r"report.section_order: unknown section"),
        ("at_risk_days", [92, 1], r"report.at_risk_days: days must be strictly increasing"),
        ("at_risk_days", [1, 1], r"report.at_risk_days: days must be strictly increasing"),
    ],
)
def test_cross_field_problems(key, value, message):
    section = dict(report_config()["report"], **{key: value})
    with pytest.raises(ConfigError, match=message):
        ReportParams.from_config(section)
    problems = list(_check_report_section({"report": section}))
    assert len(problems) == 1 and problems[0].startswith(f"report.{key}")


def test_repository_config_report_section_is_valid():
    """The shipped config/config.yaml report section, with its values typed by hand."""
    from outcomes.config import DEFAULT_CONFIG, read_config_file

    section = read_config_file(DEFAULT_CONFIG)["report"]
    assert list(_check_report_section({"report": section})) == []
    params = ReportParams.from_config(section)
    assert params.section_order == (
        "cover",
        "validation",
        "disposition",
        "baseline",
        "safety",
        "obd",
        "activity",
        "rates",
        "time_to_event",
        "swimmer",
        "analysis_tables",
        "methods",
        "dictionary",
    )
    assert params.table_order == ()
    assert params.activity_scores == ("SLEDAI2K", "PGA")
    assert params.conf_level == 0.95
    assert params.rate_ci_method == "clopper-pearson"
    # AVAL = ADT - STARTDT + 1: day 1, then the landmarks floor(m x 365/12) + 1 for m = 3, 6, 12,
    # 24 (endpoints.md §16.18).
    assert params.at_risk_days == (1, 92, 183, 366, 731)
    assert params.km_conf_type == "log-log"
    assert (params.figure_width_in, params.figure_height_in, params.figure_dpi) == (8.0, 4.5, 100)
    assert params.describe()[0] == (
        "Mean scores by visit and dose level carry a 95% t-based confidence interval."
    )
