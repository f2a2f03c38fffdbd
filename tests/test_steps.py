"""Every Snakemake rule has a step function of the same name, and every step has a rule."""

from __future__ import annotations

import re
from pathlib import Path

from outcomes.steps import load_steps

RULES = Path(__file__).resolve().parents[1] / "workflow" / "rules"


def _rule_names() -> set[str]:
    names = set()
    for path in RULES.glob("*.smk"):
        names |= set(re.findall(r"^rule (\w+):", path.read_text(encoding="utf-8"), re.MULTILINE))
    return names


def test_rules_and_steps_match():
    assert _rule_names() == set(load_steps())
