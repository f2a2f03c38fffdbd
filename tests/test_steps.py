"""Every Snakemake rule has a step function of the same name, and every step has a rule."""

from __future__ import annotations

import re
from pathlib import Path

from outcomes.steps import RULE_MODULES, STEPS, load_steps

RULES = Path(__file__).resolve().parents[1] / "workflow" / "rules"


def _rule_names() -> set[str]:
    names = set()
    for path in RULES.glob("*.smk"):
        names |= set(re.findall(r"^rule (\w+):", path.read_text(encoding="utf-8"), re.MULTILINE))
    return names


def test_rules_and_steps_match():
    assert _rule_names() == set(load_steps())


def test_every_rule_names_the_module_of_its_step():
    steps = load_steps()
    assert set(RULE_MODULES) == _rule_names()
    for rule, module in RULE_MODULES.items():
        assert steps[rule].__module__ == module, rule
    assert set(STEPS) == set(steps)


def test_every_rule_lists_its_own_source_files_as_code_inputs():
    """docs/architecture.md: a code change re-runs the rule (every rule but the final target).

    Each rule asks for the code inputs of its own name (``code=code_inputs("<rule>")``).
    """
    wrong = []
    for path in RULES.glob("*.smk"):
        for block in re.split(r"\n(?=rule )", path.read_text(encoding="utf-8")):
            name = re.match(r"rule (\w+):", block)
            if name and name.group(1) != "all":
                asked = re.findall(r'code=code_inputs\("(\w+)"\)', block)
                if asked != [name.group(1)]:
                    wrong.append((name.group(1), asked))
    assert wrong == []
