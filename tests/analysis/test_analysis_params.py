"""The ``analysis`` config section: typed parameters and cross-field checks."""

from __future__ import annotations

import copy

import pytest

from outcomes.analysis.params import (
    ActivityParams,
    ObdParams,
    ResponseParams,
    SafetyParams,
    SurvivalParams,
    check_section,
)
from outcomes.config import DEFAULT_CONFIG, read_config_file
from outcomes.errors import ConfigError


def _section() -> dict:
    return copy.deepcopy(read_config_file(DEFAULT_CONFIG)["analysis"])


def test_from_config__defaults():
    section = _section()
    surv = SurvivalParams.from_config(section)
    assert surv.landmark_months == (3.0, 6.0, 12.0, 24.0)
    assert surv.conf_types == ("log-log", "log", "plain")
    assert surv.cox_ties == ("efron", "breslow")
    assert ResponseParams.from_config(section).ci_methods == ("exact", "wilson")
    assert ActivityParams.from_config(section).base_from_adsl == {"GCDOSE": "GCDOSEBL"}
    assert SafetyParams.from_config(section).severe_grade_ge == 3
    obd = ObdParams.from_config(section)
    assert (obd.tox_rate_le, obd.eff_avisit, obd.utility["tox0_eff0"]) == (0.35, "MONTH 3", 40.0)
    check_section(section)


def test_check_section__utility_order_and_competing_paramcds():
    section = _section()
    section["obd"]["utility"]["tox1_eff0"] = 50
    section["survival"]["competing_paramcds"] = ["TTXYZ"]
    with pytest.raises(ConfigError) as excinfo:
        check_section(section)
    assert "analysis.obd.utility" in str(excinfo.value)
    assert "analysis.survival.competing_paramcds: ['TTXYZ']" in str(excinfo.value)
