"""Methods text and data dictionary come from the config, the schema and the pandera schemas."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

import outcomes.schemas
from outcomes.configuration import load_config
from outcomes.errors import OutcomesError
from outcomes.report.methods import (
    PARAM_MODULES,
    SCHEMA_MODULES,
    StageParams,
    list_describing_classes,
    summarize_definitions,
    summarize_dictionary,
    summarize_settings,
)

from .report_builders import report_config, report_overrides

SRC = Path(outcomes.schemas.__file__).resolve().parents[1]


def test_summarize_settings__every_key_with_its_schema_description():
    out = summarize_settings(report_overrides())
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


def test_summarize_definitions__every_stage_on_the_shipped_config():
    out = summarize_definitions(load_config())
    sections = [section for section, _ in out]
    assert sections == [
        "validation",
        "criteria",
        "medications",
        "endpoints",
        "safety",
        "analysis",
        "report",
    ]
    for stage in PARAM_MODULES:
        assert list_describing_classes(stage), stage.module.__name__
    text = dict(out)
    assert all(text[s] and all(isinstance(x, str) and x for x in text[s]) for s in sections)
    assert "DORIS: cSLEDAI-2K = 0, PGA lt 0.5, pred-eq le 5 mg/day" in text["criteria"]
    assert (
        "An infusion more than 14 days after the start of lymphodepletion is an error (DAT-003)."
        in text["validation"]
    )
    assert (
        "The daily prednisone-equivalent glucocorticoid dose sums, over the active systemic "
        "glucocorticoid records, mg/day × 5 / the drug's equivalent mg, rounded half up to 4 "
        "decimals once per day." in text["medications"]
    )
    assert (
        "Sustained LLDAS (LLSUST<X>, X = 3, 6, 12 months) needs a run of LLDAS assessments "
        "spanning at least floor(X × 30.4167) days (91, 182, 365 days), with at most 1 missing "
        "or not-evaluable scheduled visit(s) between two of them." in text["endpoints"]
    )
    assert (
        "Early T-ICAHT (Days 0 to 30): days with platelets < 50: 1 to 6 grade 1, 7 or more "
        "grade 2; days < 20: 1 to 13 grade 3, 14 or more grade 4." in text["safety"]
    )
    assert (
        "Time-to-event parameters TTDORIS, TTDFREM, TTLLDAS, DURDORIS, DURDFREM, DURLLDAS are "
        "estimated overall and by dose level by Kaplan–Meier with Greenwood variance and 95% "
        "pointwise confidence intervals on the log-log, log, plain scale(s)." in text["analysis"]
    )
    assert (
        "Responder rates of DORIS, DFDORIS, DFDORISS, LLDAS, SRI4, DFMAINT, DFMAINTS, LLMAINT, "
        "LLMAINTS by visit and dose level (and overall) carry 95% exact Clopper–Pearson and "
        "Wilson score intervals; the denominator is every adrs row of the visit, non-responder "
        "imputation applied." in text["analysis"]
    )
    assert (
        "The recommended dose has the highest utility among doses whose toxicity estimate is "
        "<= 0.35 and efficacy estimate >= 0; ties go to the lower dose." in text["analysis"]
    )
    assert (
        "Kaplan–Meier bands are 95% pointwise intervals on the log-log scale; cumulative "
        "incidence is Aalen–Johansen with death before achievement (CNSR 2) as the competing "
        "event." in text["report"]
    )


def test_summarize_definitions__sentences_follow_the_configured_values():
    config = load_config(
        overrides={
            "criteria": {"doris": {"pga_lt": 0.4}},
            "endpoints": {"rescue_is_failure": False, "duration_death": "censor"},
            "medications": {"exclude_adrenal_replacement_le_pred_eq": 7.5},
            "analysis": {"conf_level": 0.9, "obd": {"eff_isotonic": False}},
        }
    )
    text = dict(summarize_definitions(config))
    assert "DORIS: cSLEDAI-2K = 0, PGA lt 0.4, pred-eq le 5 mg/day" in text["criteria"]
    assert (
        "An SLE rescue or CAR-T re-treatment is not a failure (observed-case sensitivity "
        "analysis): later assessments count as observed." in text["endpoints"]
    )
    assert (
        "A death without a prior loss censors the duration of the first episode (CNSR 1) at the "
        "last assessment in the state." in text["endpoints"]
    )
    assert (
        "Glucocorticoid records for ADRENAL INSUFFICIENCY at or below 7.5 mg/day "
        "prednisone-equivalent are left out of that dose." in text["medications"]
    )
    assert (
        "Toxicity and efficacy rates per dose level carry 90% exact Clopper–Pearson intervals; "
        "toxicity is estimated by weighted PAVA (isotonic in dose), efficacy by the observed "
        "rates." in text["analysis"]
    )
    assert not any("95%" in s for s in text["analysis"])


def test_summarize_definitions__every_stage_parameter_module_is_listed():
    listed = {stage.module.__file__ for stage in PARAM_MODULES}
    found = {str(p) for p in SRC.rglob("params.py")} - {str(SRC / "simulate" / "params.py")}
    assert listed == found  # the simulator's assumptions are not read by the pipeline


def _fake_stage(monkeypatch, *classes: type, **stage: object) -> None:
    module = types.ModuleType("fake_stage_params")
    for cls in classes:
        monkeypatch.setattr(cls, "__module__", "fake_stage_params")
        setattr(module, cls.__name__, cls)
    monkeypatch.setitem(sys.modules, "fake_stage_params", module)
    monkeypatch.setattr("outcomes.report.methods.PARAM_MODULES", (StageParams(module, **stage),))


@dataclass(frozen=True)
class FakeCriteria:
    pga_lt: float

    @classmethod
    def from_config(cls, section):
        return cls(pga_lt=section["pga_lt"])

    def describe(self):
        return (f"PGA < {self.pga_lt}",)


@dataclass(frozen=True)
class FakeValidation:
    limit: int

    @classmethod
    def from_config(cls, config):
        return cls(limit=config["scores"]["limit"])

    def describe(self):
        return (f"limit {self.limit}",)


@dataclass(frozen=True)
class FakeScores:
    other: int

    @classmethod
    def from_config(cls, section):
        return cls(other=section["other"])


def test_summarize_definitions__every_describing_dataclass_of_a_stage(monkeypatch):
    _fake_stage(
        monkeypatch,
        FakeScores,
        FakeCriteria,
        FakeValidation,
        sections={"FakeCriteria": "criteria", "FakeValidation": "criteria"},
        whole_config=frozenset({"FakeValidation"}),
    )
    config = {"scores": {"other": 1, "limit": 3}, "criteria": {"pga_lt": 0.5}}
    assert summarize_definitions(config) == [("criteria", ("PGA < 0.5", "limit 3"))]


def test_summarize_definitions__a_stage_without_describe_raises(monkeypatch):
    _fake_stage(monkeypatch, FakeScores, sections={"FakeScores": "scores"})
    with pytest.raises(OutcomesError, match=r"fake_stage_params: no class with from_config\(\)"):
        summarize_definitions({"scores": {"other": 1}})


def test_summarize_definitions__describing_classes_and_sections_must_match(monkeypatch):
    _fake_stage(monkeypatch, FakeCriteria, sections={})
    with pytest.raises(
        OutcomesError,
        match=r"FakeCriteria has from_config\(\) and describe\(\) but no config section",
    ):
        summarize_definitions({"criteria": {"pga_lt": 0.5}})
    _fake_stage(monkeypatch, FakeCriteria, sections={"FakeCriteria": "criteria", "Gone": "x"})
    with pytest.raises(
        OutcomesError, match=r"Gone is listed in .*PARAM_MODULES but is not a class"
    ):
        summarize_definitions({"criteria": {"pga_lt": 0.5}})


def test_summarize_definitions__a_config_a_stage_cannot_be_built_from_raises():
    config = load_config()
    del config["criteria"]["doris"]
    with pytest.raises(
        OutcomesError,
        match=r"outcomes\.derive\.params\.Criteria: cannot be built from config section "
        r"'criteria' \(KeyError: 'doris'\)",
    ):
        summarize_definitions(config)
    config = load_config()
    del config["analysis"]
    with pytest.raises(
        OutcomesError, match=r"SurvivalParams: the configuration has no section 'analysis'"
    ):
        summarize_definitions(config)
    with pytest.raises(OutcomesError, match=r"ValidationParams: cannot be built"):
        summarize_definitions(report_overrides())  # a partial config is not silently shortened


def test_summarize_definitions__report_tests_use_a_complete_config():
    assert [s for s, _ in summarize_definitions(report_config())][-1] == "report"


def test_summarize_dictionary__export_tables_with_labels():
    out = summarize_dictionary()
    row = out.filter((out["DATASET"] == "subjects") & (out["COLUMN"] == "INFDT")).row(0, named=True)
    assert row["TYPE"] == "Date" and row["NULLABLE"] == "yes"
    assert row["LABEL"] == "CAR-T infusion date = study Day 0"
    assert out.select("DATASET", "COLUMN").is_duplicated().sum() == 0


def test_schema_modules__every_module_of_the_schemas_package():
    folder = Path(outcomes.schemas.__file__).parent
    files = {p.stem for p in folder.glob("*.py")} - {"__init__"}
    assert {m.__name__.rpartition(".")[2] for m in SCHEMA_MODULES} == files
    assert all(m.__name__.startswith("outcomes.schemas.") for m in SCHEMA_MODULES)
