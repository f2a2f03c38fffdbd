"""A change of one source module re-runs exactly the rules whose process imports it.

Each rule's code inputs are the modules ``outcomes.imports`` finds from ``outcomes.steps`` and the
rule's step module (``RULE_MODULES``). The slow test changes every module of ``src/outcomes`` in
turn in a copy of the tree and asks Snakemake's dry run which rules it would run: the rules whose
process imports the module, the rules downstream of them, and nothing else. The fast tests check
the import sets themselves: every module a rule's process has loaded after importing its step is
among its code inputs, and a few hand-typed cases.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from outcomes.imports import SRC, compute_import_closure, list_modules
from outcomes.steps import RULE_MODULES

REPO = Path(__file__).resolve().parents[1]
DRY_RUN = Path(__file__).with_name("code_change_dry_run.py")
#: Chunks of modules, each dry-run in its own copy of the tree (``pytest -n`` runs them apart).
CHUNKS = 3


def _rule_modules(rule: str) -> frozenset[str]:
    return compute_import_closure(("outcomes.steps", RULE_MODULES[rule]))


def _downstream(rules: set[str], edges: list[list[str]]) -> set[str]:
    found = set(rules)
    grew = True
    while grew:
        more = {b for a, b in edges if a in found} - found
        found |= more
        grew = bool(more)
    return found


def _copy_tree(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("src", "workflow", "config"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)
    shutil.copy2(REPO / "Snakefile", dest / "Snakefile")
    return dest


@pytest.mark.slow
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_changing_a_module_reruns_exactly_the_rules_that_import_it(chunk: int, tmp_path: Path):
    modules = sorted(list_modules().items())[chunk::CHUNKS]
    files = {str(path.relative_to(REPO)): name for name, path in modules}
    tree = _copy_tree(tmp_path / "tree")
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    done = subprocess.run(
        [sys.executable, str(DRY_RUN), str(tree), *files],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    changes, edges = result["changes"], result["rulegraph"]
    assert changes.pop("") == [], "the tree copy was not up to date before the first change"
    in_dag = {rule for edge in edges for rule in edge}  # the demo run has no import_sdtm
    wrong = {}
    for file, module in files.items():
        direct = {rule for rule in RULE_MODULES if module in _rule_modules(rule)} & in_dag
        expected = sorted(_downstream(direct, edges))
        if changes[file] != expected:
            wrong[file] = {"dry run": changes[file], "expected": expected}
    assert not wrong


def test_hand_typed_rules_of_a_few_modules():
    def rules_of(module: str) -> set[str]:
        return {rule for rule in RULE_MODULES if module in _rule_modules(rule)}

    analyses = {
        "analyze_survival",
        "analyze_response",
        "analyze_disease_activity",
        "analyze_safety",
        "analyze_obd",
    }
    report = {"render_report", "write_manifest", "write_tfls"}
    assert rules_of("outcomes.analysis.km") == analyses | report
    assert rules_of("outcomes.derive.medications.exposure") >= {"create_adcm", "create_advisit"}
    assert rules_of("outcomes.simulate.cohort") == {
        "simulate_demo",
        "validate_export",
        "create_validated_tables",
    }
    assert rules_of("outcomes.errors") == set(RULE_MODULES)
    assert rules_of("outcomes.cli") == set()
    assert rules_of("outcomes.configuration") == set()


def test_code_inputs_hold_every_module_a_rule_process_loads():
    """What a rule's process has imported once its step is loaded is among its code inputs.

    (Modules imported inside functions are code inputs too, but load only when the step runs.)
    """
    probe = (
        "import json, sys\n"
        "from outcomes.steps import load_step\n"
        "load_step(sys.argv[1])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'outcomes')))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(SRC.parent))
    by_module = {}
    for rule, module in RULE_MODULES.items():
        if module not in by_module:
            done = subprocess.run(
                [sys.executable, "-c", probe, rule],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            by_module[module] = set(json.loads(done.stdout))
        missing = by_module[module] - _rule_modules(rule)
        assert not missing, f"{rule}: loaded but not code inputs: {sorted(missing)}"
