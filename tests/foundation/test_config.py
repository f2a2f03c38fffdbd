"""The configuration loader: strict schema, key paths in every message, cross-field checks."""

from __future__ import annotations

import pytest

from outcomes.config import DEFAULT_CONFIG, merge, output_dir, read_config_file
from outcomes.configuration import load_config, validate_config
from outcomes.errors import ConfigError


def test_load_config__shipped_config_is_valid():
    config = load_config()
    assert config["study"]["studyid"] == "NCT07274059"
    assert config["demo"]["subjects"] == 48


def test_validate_config__unknown_top_level_key_is_named():
    config = read_config_file(DEFAULT_CONFIG)
    config["colour"] = "blue"
    with pytest.raises(ConfigError, match=r"'colour' was unexpected\) \(unknown key\)"):
        validate_config(config)


def test_validate_config__unknown_nested_key_is_named_with_its_path():
    config = merge(read_config_file(DEFAULT_CONFIG), {"demo": {"subjcts": 5}})
    with pytest.raises(ConfigError, match=r"config\.demo: .*'subjcts' was unexpected"):
        validate_config(config)


def test_validate_config__out_of_range_value_names_the_key():
    config = merge(read_config_file(DEFAULT_CONFIG), {"demo": {"subjects": 0}})
    with pytest.raises(
        ConfigError, match=r"config\.demo\.subjects: 0 is less than the minimum of 1"
    ):
        validate_config(config)


def test_validate_config__every_problem_is_listed_at_once():
    config = merge(read_config_file(DEFAULT_CONFIG), {"demo": {"subjects": 0, "seed": -1}})
    with pytest.raises(ConfigError) as excinfo:
        validate_config(config)
    message = str(excinfo.value)
    assert "config.demo.subjects" in message
    assert "config.demo.seed" in message


@pytest.mark.parametrize("cut", ["2026-02-30", "2026-13-01"])
def test_validate_config__impossible_data_cut_is_rejected(cut):
    config = merge(read_config_file(DEFAULT_CONFIG), {"data": {"data_cut": cut}})
    with pytest.raises(ConfigError, match=r"data\.data_cut: .* is not a calendar date"):
        validate_config(config)


def test_validate_config__data_cut_pattern_is_enforced():
    config = merge(read_config_file(DEFAULT_CONFIG), {"data": {"data_cut": "31/01/2027"}})
    with pytest.raises(ConfigError, match=r"config\.data\.data_cut"):
        validate_config(config)


def test_read_config_file__missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        read_config_file(tmp_path / "nope.yaml")


def test_read_config_file__not_a_mapping(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        read_config_file(path)


def test_output_dir__defaults_to_one_folder_per_cut():
    config = merge(read_config_file(DEFAULT_CONFIG), {"data": {"data_cut": "2026-06-30"}})
    assert output_dir(config) == "results/cut-2026-06-30"
    config = merge(config, {"data": {"output_dir": "/tmp/x"}})
    assert output_dir(config) == "/tmp/x"


def test_merge__nested_keys_are_merged_not_replaced():
    assert merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}) == {"a": {"b": 1, "c": 3}}
