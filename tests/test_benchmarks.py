"""The benchmark scripts name rules that exist and call them as the workflow does."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from outcomes.configuration import load_config
from outcomes.contract import TABLES
from outcomes.steps import RULE_MODULES

ROOT = Path(__file__).resolve().parents[1]


def _module(name: str) -> ModuleType:
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _workflow_rules() -> dict[str, set[str]]:
    """Output names of every rule in workflow/rules/*.smk."""
    rules: dict[str, set[str]] = {}
    for path in (ROOT / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"\n(?=rule )", path.read_text(encoding="utf-8")):
            name = re.match(r"rule (\w+):", block)
            outputs = re.search(r"\n    output:\n((?:        .*\n)+)", block)
            if name and outputs:
                names = set(re.findall(r"^\s+(\w+)=", outputs.group(1), re.M))
                if "for table in TABLES" in outputs.group(1):
                    names |= set(TABLES)
                rules[name.group(1)] = names
    return rules


def test_every_benchmarked_rule_is_a_workflow_rule_with_the_same_outputs():
    driver = _module("driver")
    table = driver.step_table(load_config())
    rules = _workflow_rules()
    for stage, names in driver.STAGES.items():
        for rule in names:
            assert rule in table, (stage, rule)
            assert rule in rules, f"{rule} is not a rule of workflow/rules"
            assert set(table[rule][1]) == rules[rule], rule


def test_the_import_row_loads_a_registered_rule():
    run = _module("run")
    rule = re.search(r"load_step\('(\w+)'\)", run.IMPORT_ONLY)
    assert rule and rule.group(1) in RULE_MODULES
