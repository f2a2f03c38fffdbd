"""MedicationParams: construction from the config section and cross-field checks."""

from __future__ import annotations

import copy
import re
from fractions import Fraction

import pytest

from outcomes.config import DEFAULT_CONFIG, read_config_file
from outcomes.drugs.params import MedicationParams, check_medications
from outcomes.errors import ConfigError


def test_from_config__shipped_section(params):
    by_inn = {e.inn: e for e in params.dictionary}
    assert by_inn["dexamethasone"].equivalent_mg == Fraction(3, 4)
    assert by_inn["methotrexate"].max_mg_per_day == Fraction(30, 7)
    assert by_inn["hydroxychloroquine"].max_mg_per_day is None
    assert by_inn["rituximab"].exposure_days == 180
    assert params.unit_to_mg["ug"] == Fraction(1, 1000)
    assert params.frequencies["QOD"].per_day == Fraction(1, 2)
    assert params.exclude_adrenal_replacement_le_pred_eq is None


def test_medication_params__clinical_fields_have_no_defaults():
    with pytest.raises(TypeError):
        MedicationParams()  # type: ignore[call-arg]


def _broken(section, path, value):
    broken = copy.deepcopy(section)
    target = broken
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return broken


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("dictionary", "prednisone"),
            {"class": "GC_SYSTEMIC"},
            r"medications\.dictionary\.prednisone: a GC_SYSTEMIC drug needs equivalent_mg",
        ),
        (
            ("dictionary", "hydroxychloroquine"),
            {"class": "ANTIMALARIAL", "maintenance_max_mg_per_day": 400},
            r"dictionary\.hydroxychloroquine: maintenance maxima apply to IS and biologics only",
        ),
        (
            ("dictionary", "azathioprine"),
            {
                "class": "IS_CONVENTIONAL",
                "maintenance_max_mg_per_day": 200,
                "maintenance_max_mg_per_week": 1400,
            },
            r"not both",
        ),
        (
            ("dictionary", "naproxen"),
            {"class": "NSAID", "equivalent_mg": 5},
            r"equivalent_mg is only allowed for glucocorticoids",
        ),
        (
            ("dictionary", "methotrexate"),
            {"class": "IS_CONVENTIONAL", "exposure_days": 7},
            r"exposure_days needs a class listed in once_exposure_classes",
        ),
        (
            ("dictionary", "chloroquine"),
            {"class": "ANTIMALARIAL", "aliases": ["mepacrine"]},
            r"alias 'mepacrine'",
        ),
        (("frequencies", "Q4W"), None, r"medications\.frequencies: no entry for Q4W"),
        (("ld_window_first_day",), 0, r"ld_window_first_day must be <="),
        (("ivig_drugs",), ["gammaglobulin"], r"medications\.ivig_drugs: 'gammaglobulin'"),
    ],
)
def test_cross_field_checks__name_the_key(section, path, value, message):
    broken = _broken(section, path, value)
    problems = list(check_medications({"medications": broken}))
    assert any(re.search(message, p) for p in problems), problems
    with pytest.raises(ConfigError, match=message):
        MedicationParams.from_config(broken)


def test_cross_field_checks__shipped_config_passes():
    assert list(check_medications(read_config_file(DEFAULT_CONFIG))) == []


def test_validate_config__schema_names_medication_keys():
    from outcomes.configuration import validate_config

    config = read_config_file(DEFAULT_CONFIG)
    config["medications"]["dictionary"]["prednisone"]["equivalent"] = 5
    with pytest.raises(ConfigError, match=r"config\.medications\.dictionary\.prednisone.*unknown"):
        validate_config(config)
    config = read_config_file(DEFAULT_CONFIG)
    config["medications"]["gc_decimals"] = 12
    with pytest.raises(ConfigError, match=r"config\.medications\.gc_decimals"):
        validate_config(config)


def test_validate_config__runs_the_medication_cross_field_checks():
    from outcomes.configuration import validate_config

    config = read_config_file(DEFAULT_CONFIG)
    config["medications"]["ld_window_first_day"] = 0
    with pytest.raises(ConfigError, match=r"medications\.ld_window_first_day must be <="):
        validate_config(config)
