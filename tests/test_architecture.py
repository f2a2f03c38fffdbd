"""Import direction: export → validated tables → per-visit states → endpoints → analyses → report.

A module may import foundation modules and its own or earlier stages, never a later stage. Steps
and the command line are the IO boundary and may import every stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "outcomes"

RANK = {
    # foundation
    "contract": 0,
    "errors": 0,
    "config": 0,
    "decimal": 0,
    "schemas": 0,
    "io": 0,
    "scoring": 0,
    "eligibility": 0,
    "drugs": 0,
    # stages, in data-flow order
    "ingest": 1,
    "validate": 1,
    "simulate": 1,
    "derive": 2,
    "endpoints": 3,
    "analysis": 4,
    "report": 5,
    "interop": 5,
    # the IO boundary
    "steps": 9,
    "cli": 9,
    "documentation": 9,
    "__init__": 9,
}


def _top(module_path: Path) -> str:
    rel = module_path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imported_tops(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tops = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "outcomes" and len(parts) > 1:
                tops.add(parts[1])
    return tops


MODULES = sorted(p for p in SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_follow_the_data_flow(path: Path):
    own = _top(path)
    # schemas describe every stage's datasets but import no stage code
    own_rank = 0 if own == "schemas" else RANK.get(own, 9)
    for top in _imported_tops(path):
        rank = RANK.get(top)
        assert rank is not None, (
            f"{path}: imports outcomes.{top}, which has no place in the data flow"
        )
        assert rank <= own_rank, f"{path} ({own}) imports the later stage outcomes.{top}"


def test_every_top_level_module_has_a_rank():
    tops = {_top(p) for p in MODULES}
    assert tops <= set(RANK), sorted(tops - set(RANK))
