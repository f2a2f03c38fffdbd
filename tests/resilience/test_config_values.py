"""The configuration refuses NaN, infinities and files that are not UTF-8, with one message."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes.cli import main
from outcomes.config import find_non_finite_numbers
from outcomes.configuration import load_config
from outcomes.errors import ConfigError


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN"])
def test_load_config__non_finite_threshold_is_refused(tmp_path: Path, value: str):
    path = tmp_path / "c.yaml"
    path.write_text(f"criteria:\n  doris:\n    pga_lt: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.criteria\.doris\.pga_lt: .* not a finite"):
        load_config(path)


def test_find_non_finite_numbers__anywhere_in_lists_and_mappings():
    config = {"a": [1.0, {"b": float("inf")}], "c": float("nan"), "d": 1e308}
    assert find_non_finite_numbers(config) == [
        "config.a[1].b: inf is not a finite number",
        "config.c: nan is not a finite number",
    ]


def test_load_config__latin1_file_is_a_config_error(tmp_path: Path):
    path = tmp_path / "c.yaml"
    path.write_bytes("study:\n  studyid: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"not UTF-8 text .*0xe9"):
        load_config(path)


def test_cli_validate__nan_config_exits_2_without_traceback(tmp_path: Path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text("criteria:\n  doris:\n    pga_lt: .nan\n", encoding="utf-8")
    code = main(["validate", str(tmp_path), "--out", str(tmp_path / "v"), "--config", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "pga_lt" in err
