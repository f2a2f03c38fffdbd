"""Tests of outcomes.interop.mapping: the shipped mapping loads; broken ones name the key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from outcomes.errors import ConfigError
from outcomes.interop.mapping import DEFAULT_MAPPING, SdtmMapping, check_mapping, load_sdtm_mapping


def _document() -> dict:
    return yaml.safe_load(DEFAULT_MAPPING.read_text(encoding="utf-8"))


def test_load_sdtm_mapping__default_file():
    mapping = load_sdtm_mapping()
    assert mapping.activity.prefix == "RS"
    assert mapping.activity.tests["SLDSEIZ"] == "SLEDAI_SEIZURE"
    assert mapping.activity.tests["PGA"] == "PGA"
    assert mapping.activity.tests["BLGRENAL"] == "BILAG_RENAL"
    assert mapping.activity.present_values["PRESENT"] == 1
    assert mapping.subjects.lymphodepletion_treatments == ("FLUDARABINE", "CYCLOPHOSPHAMIDE")
    assert mapping.adverse_events.relationship["POSSIBLE"] == "Y"
    assert mapping.files["lb"] == ("lb", "lbch", "lbhe", "lbur")


def test_load_sdtm_mapping__missing_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_sdtm_mapping(tmp_path / "nope.yaml")


def test_check_mapping__unknown_key_names_path():
    doc = _document()
    doc["subjects"]["dose_unit"] = "x"
    with pytest.raises(ConfigError, match=r"sdtm_mapping\.subjects: .*dose_unit"):
        check_mapping(doc)


def test_check_mapping__target_outside_contract():
    doc = _document()
    doc["activity"]["tests"]["SLDXX"] = "SLEDAI_UNKNOWN"
    with pytest.raises(ConfigError, match=r"sdtm_mapping\.activity\.tests\.SLDXX"):
        check_mapping(doc)


def test_check_mapping__reason_outside_contract():
    doc = _document()
    doc["disposition"]["reasons"]["MOVED"] = "MOVED AWAY"
    with pytest.raises(ConfigError, match=r"sdtm_mapping\.disposition\.reasons\.MOVED"):
        check_mapping(doc)


def test_from_config__two_codes_one_column():
    doc = copy.deepcopy(_document())
    doc["activity"]["tests"]["SEIZ2"] = "SLEDAI_SEIZURE"
    check_mapping(doc)
    with pytest.raises(ConfigError, match=r"activity\.tests\.SEIZ2: column SLEDAI_SEIZURE"):
        SdtmMapping.from_config(doc)
