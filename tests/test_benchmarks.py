"""The benchmark scripts name rules that exist and call them as the workflow does."""

from __future__ import annotations

import importlib.util
import os
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
                    prefix = re.search(r'\*\*\{f"(\w*)\{table\}"', outputs.group(1))
                    names |= {f"{prefix.group(1) if prefix else ''}{t}" for t in TABLES}
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


def test_every_workflow_rule_records_a_benchmark_beside_its_log():
    for path in (ROOT / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"\n(?=rule )", path.read_text(encoding="utf-8")):
            name = re.match(r"rule (\w+):", block)
            if name:
                log = re.search(r"\n    log:\n        (.*)\.log\",?\n", block)
                bench = re.search(r"\n    benchmark:\n        (.*)\.tsv\",?\n", block)
                assert log and bench, name.group(1)
                assert bench.group(1) == log.group(1).replace("/logs/", "/logs/benchmarks/")


def test_read_rule_benchmarks__time_and_memory_of_each_rule(tmp_path: Path):
    folder = tmp_path / "logs" / "benchmarks"
    folder.mkdir(parents=True)
    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    (folder / "validate_export.tsv").write_text(
        header + "2.50\t0:00:02\t310.25\t900\t280\t290\t1\t2\t80\t2.1\n", encoding="utf-8"
    )
    (folder / "create_adsl.tsv").write_text(
        header + "1.25\t0:00:01\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n", encoding="utf-8"
    )
    os.utime(folder / "validate_export.tsv", (1, 1))
    os.utime(folder / "create_adsl.tsv", (2, 2))
    workflow = _module("workflow")
    assert workflow.read_rule_benchmarks(tmp_path) == [
        ("validate_export", 2.5, 310.25),
        ("create_adsl", 1.25, 0.0),
    ]


def test_r_compare__counts_disagreements_nulls_and_rows_only_in_one_file():
    import datetime as dt

    import polars as pl

    compare = _module("r_compare").compare
    day = dt.date(2026, 1, 5)
    advisit = pl.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S2"],
            "ADT": [day, day, day],
            "SRCSEQ": [1, 2, 3],
            "GCDOSE": [3.3333, 5.0, None],
            "DORISFL": [True, None, False],
        }
    )
    r_out = pl.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S2", "S3"],
            "ADT": [day, day, day, day],
            "SRCSEQ": [1, 2, 3, 4],
            "GCDOSE": [3.33330000001, 5.0, 0.0, 1.0],  # same 4 decimals; null vs 0 differs
            "DORISFL": [True, None, True, True],
        }
    )
    table, detail, counts = compare(r_out, advisit)
    rows = {r["value"]: r for r in table.iter_rows(named=True)}
    assert rows["GCDOSE"] == {
        "value": "GCDOSE",
        "compared": 3,
        "not evaluable in both": 0,
        "disagree": 1,
    }
    assert rows["DORISFL"]["disagree"] == 1
    assert rows["DORISFL"]["not evaluable in both"] == 1
    assert counts["r_not_in_advisit"] == 1
    assert counts["advisit_not_in_r"] == 0
    assert sorted(detail["SRCSEQ"].to_list()) == [3, 3]
