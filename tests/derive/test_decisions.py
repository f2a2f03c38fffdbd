"""docs/decisions.md: every config key it names exists, with the default it states."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest

from outcomes.config import load_config

DOC = Path(__file__).resolve().parents[2] / "docs" / "decisions.md"
ROW = re.compile(r"^\| (D-\d\d|§[\d.]+) \| .* \| `([a-z0-9_.]+)` \| (.+) \|$")


def _rows() -> list[tuple[str, str, str]]:
    rows = [ROW.match(line) for line in DOC.read_text(encoding="utf-8").splitlines()]
    return [m.groups() for m in rows if m]


@functools.cache
def _config() -> dict[str, Any]:
    return load_config()


def _lookup(config: dict[str, Any], path: str) -> Any:
    value: Any = config
    for part in path.split("."):
        value = value[part]
    return value


def test_decisions_table_is_not_empty():
    assert len(_rows()) >= 30


@pytest.mark.parametrize(("decision", "key", "default"), _rows())
def test_decision_key_exists_with_its_default(decision, key, default):
    value = _lookup(_config(), key)
    if default.startswith("`"):
        assert str(value) == default.strip("`"), (decision, key)
    else:  # described in words (the visit windows)
        assert isinstance(value, list) and len(value) == 8


def test_every_decision_of_the_visit_sections_is_documented():
    documented = {d for d, _, _ in _rows()}
    for decision in (
        "D-01",
        "D-02",
        "D-03",
        "D-06",
        "D-07",
        "D-09",
        "D-10",
        "D-11",
        "D-12",
        "D-13",
        "D-14",
        "D-16",
        "D-19",
        "D-20",
        "D-31",
        "D-34",
    ):
        assert decision in documented
