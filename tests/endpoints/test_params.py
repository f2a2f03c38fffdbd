"""Config sections ``endpoints`` and ``safety``: loading, cross-field checks, the visit schedule."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from outcomes.config import merge
from outcomes.configuration import load_config, validate_config
from outcomes.endpoints.params import (
    EndpointParams,
    SafetyParams,
    check_against_schedule,
    schedule_from_config,
)
from outcomes.errors import ConfigError


def test_default_config_builds_the_parameters_with_the_spec_defaults():
    config = load_config()
    ep = EndpointParams.from_config(config["endpoints"])
    sp = SafetyParams.from_config(config["safety"])
    assert (ep.rescue_is_failure, ep.bridge_missing_max, ep.lldas50_pct_ge) == (True, 1, 50.0)
    assert ep.maintenance_avisit == ("MONTH 6", "MONTH 9", "MONTH 12", "MONTH 18", "MONTH 24")
    assert [ep.sustained_days(m) for m in ep.sustained_months] == [91, 182, 365]
    assert (sp.ae_window_first_day, sp.ae_window_last_day, sp.obd_window_last_day) == (0, 91, 28)
    assert sp.icaht.anc_late_le == (1.5, 1.0, 0.5, 0.1)


def test_clinical_fields_have_no_defaults():
    with pytest.raises(TypeError):
        EndpointParams()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        SafetyParams()  # type: ignore[call-arg]


def test_unknown_maintenance_visit_is_a_config_error_naming_the_key():
    config = load_config()
    bad = merge(config, {"endpoints": {"maintenance_avisit": ["MONTH 7"]}})
    with pytest.raises(ConfigError, match=r"endpoints\.maintenance_avisit"):
        validate_config(bad)


def test_unknown_endpoint_key_and_out_of_range_value_are_rejected():
    config = load_config()
    with pytest.raises(ConfigError, match=r"endpoints.*unknown key"):
        validate_config(merge(config, {"endpoints": {"bridge_missing": 1}}))
    with pytest.raises(ConfigError, match=r"lldas50_pct_ge"):
        validate_config(merge(config, {"endpoints": {"lldas50_pct_ge": 150}}))


def test_icaht_thresholds_must_decrease():
    config = load_config()
    bad = merge(config, {"safety": {"icaht": {"anc_late_le_10e9_per_l": {"g1": 0.5, "g2": 1.0}}}})
    with pytest.raises(ConfigError, match=r"safety\.icaht\.anc_late_le_10e9_per_l"):
        validate_config(bad)


def test_schedule_from_the_visits_section():
    schedule = schedule_from_config(load_config()["visits"]).collect()
    assert schedule.row(2) == ("MONTH 3", 3, 105)
    with pytest.raises(ConfigError, match=r"visits\.windows\[0\]: missing key\(s\) upper_day"):
        schedule_from_config({"windows": [{"label": "DAY 14", "avisitn": 1}]})


def test_check_against_schedule_names_the_key():
    ep = EndpointParams.from_config(load_config()["endpoints"])
    schedule = pl.DataFrame({"AVISIT": ["MONTH 6"], "AVISITN": [6], "UPPERDY": [196]})
    with pytest.raises(ConfigError, match=r"endpoints\.maintenance_avisit"):
        check_against_schedule(ep, schedule)
    only = dataclasses.replace(ep, maintenance_avisit=("MONTH 6",))
    with pytest.raises(ConfigError, match=r"endpoints\.lldas_time_first_avisit"):
        check_against_schedule(only, schedule)
