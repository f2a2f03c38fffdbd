"""Methods text and data dictionary come from the config, the schema and the pandera schemas."""

from __future__ import annotations

from outcomes.report.methods import summarize_definitions, summarize_dictionary, summarize_settings

from .report_builders import report_config


def test_summarize_settings__every_key_with_its_schema_description():
    out = summarize_settings(report_config())
    row = {r["KEY"]: r for r in out.iter_rows(named=True)}
    assert row["report.conf_level"]["VALUE"] == "0.95"
    assert row["report.conf_level"]["MEANING"].startswith("Confidence level")
    assert row["study.dose_levels"]["VALUE"] == "DL1, DL2, DL3"
    assert row["analysis.safety.severe_grade_ge"]["VALUE"] == "3"
    assert out.height == 3 + 3 + 1 + 10  # study, data, analysis, report keys


def test_summarize_settings__list_of_mappings_is_indexed():
    config = {"visits": {"windows": [{"label": "M3", "lower_day": 60}]}}
    assert summarize_settings(config).select("KEY", "VALUE").rows() == [
        ("visits.windows[0].label", "M3"),
        ("visits.windows[0].lower_day", "60"),
    ]


def test_summarize_definitions__tolerates_unfinished_sections():
    out = dict(summarize_definitions(report_config()))
    assert "report" in out  # the other sections are absent from this config and are skipped
    assert "criteria" not in out


def test_summarize_dictionary__export_tables_with_labels():
    out = summarize_dictionary()
    row = out.filter((out["DATASET"] == "subjects") & (out["COLUMN"] == "INFDT")).row(0, named=True)
    assert row["TYPE"] == "Date" and row["NULLABLE"] == "yes"
    assert row["LABEL"] == "CAR-T infusion date = study Day 0"
    assert out.select("DATASET", "COLUMN").is_duplicated().sum() == 0


def test_summarize_definitions__every_describing_dataclass_of_a_stage(monkeypatch):
    import sys
    import types
    from dataclasses import dataclass

    module = types.ModuleType("fake_stage_params")

    @dataclass(frozen=True)
    class FakeCriteria:
        pga_lt: float

        @classmethod
        def from_config(cls, section):
            return cls(pga_lt=section["pga_lt"])

        def describe(self):
            return (f"PGA < {self.pga_lt}",)

    FakeCriteria.__module__ = "fake_stage_params"
    module.FakeCriteria = FakeCriteria
    monkeypatch.setitem(sys.modules, "fake_stage_params", module)
    monkeypatch.setattr(
        "outcomes.report.methods.PARAM_MODULES", {"fake_stage_params": ("scores", "criteria")}
    )
    config = {"scores": {"other": 1}, "criteria": {"pga_lt": 0.5}}
    assert summarize_definitions(config) == [("criteria", ("PGA < 0.5",))]
    assert summarize_definitions({"scores": {}}) == []  # not buildable yet: skipped
