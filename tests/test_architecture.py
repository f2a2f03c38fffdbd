"""Import direction: export → validated tables → per-visit states → endpoints → analyses → report.

A module may import foundation modules and its own or earlier stages, never a later stage. Steps,
the command line and the whole-configuration check are the boundary and may import every stage.
Imports are found in every form (``outcomes.imports``): ``import outcomes.x``, ``from outcomes
import x``, relative imports, and ``importlib.import_module`` with a literal name; an import whose
module name is computed at run time is allowed only in the step dispatcher.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from outcomes.imports import (
    SRC,
    compute_import_closure,
    find_dynamic_imports,
    find_imports,
    list_modules,
)

RANK = {
    # foundation
    "contract": 0,
    "errors": 0,
    "config": 0,
    "decimal": 0,
    "imports": 0,
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
    # the boundary
    "configuration": 9,
    "steps": 9,
    "shards": 9,  # runs the per-subject steps on one shard
    "cli": 9,
    "stepclient": 9,  # hands a rule's step to the step server (outcomes.steps.server)
    "documentation": 9,
}

#: Modules that import a module named at run time, and why that is allowed.
DYNAMIC_IMPORTERS = {
    "outcomes.steps": "imports the step module of a rule named in RULE_MODULES",
}

MODULES = sorted(list_modules())


def _top(module: str) -> str | None:
    """The top-level part of ``outcomes.<top>...``; ``None`` for the package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _rank(module: str) -> int:
    top = _top(module)
    # schemas describe every stage's datasets but import no stage code
    return 0 if top == "schemas" else RANK.get(top, 9)


@pytest.mark.parametrize("module", MODULES)
def test_imports_follow_the_data_flow(module: str):
    own = _rank(module)
    for imported in sorted(find_imports(module)):
        top = _top(imported)
        if top is None:  # the package's __init__ (its version) runs before every module
            continue
        assert top in RANK, f"{module}: imports {imported}, which has no place in the data flow"
        assert RANK[top] <= own, f"{module} (rank {own}) imports the later stage {imported}"


def test_every_top_level_module_has_a_rank():
    tops = {_top(m) for m in MODULES} - {None}
    assert tops <= set(RANK), sorted(tops - set(RANK))


def test_the_foundation_reaches_no_stage():
    """Everything a foundation module can run is foundation (no stage loaded at run time)."""
    foundation = [m for m in MODULES if _top(m) is not None and _rank(m) == 0]
    for module in foundation:
        later = sorted(m for m in compute_import_closure([module]) if _top(m) and _rank(m) > 0)
        assert not later, f"{module} reaches {later}"


def test_imports_with_computed_names_are_only_in_the_step_dispatcher():
    found = {m: find_dynamic_imports(m) for m in MODULES}
    unexpected = {m: calls for m, calls in found.items() if calls and m not in DYNAMIC_IMPORTERS}
    assert not unexpected


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "outcomes"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_find_imports__every_import_form(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "config.py": "",
            "errors.py": "",
            "io/__init__.py": "",
            "io/export.py": "",
            "derive/__init__.py": "",
            "derive/params.py": "",
            "derive/scores.py": "",
            "derive/advisit.py": """
                import importlib
                from typing import TYPE_CHECKING

                import polars
                import outcomes.errors
                from outcomes import config
                from . import params
                from .scores import total
                from ..io import export

                if TYPE_CHECKING:
                    from outcomes.endpoints import nothing_at_run_time

                def later():
                    importlib.import_module("outcomes.derive")
                    return __import__("outcomes.io")
                """,
        },
    )
    assert find_imports("outcomes.derive.advisit", root) == {
        "outcomes",
        "outcomes.errors",
        "outcomes.config",
        "outcomes.derive",
        "outcomes.derive.params",
        "outcomes.derive.scores",
        "outcomes.io",
        "outcomes.io.export",
    }


def test_find_imports__relative_import_in_a_package_init(tmp_path: Path):
    root = _tree(
        tmp_path,
        {"__init__.py": "", "a/__init__.py": "from .b import f\n", "a/b.py": "from .. import c\n"},
    )
    (root / "c.py").write_text("", encoding="utf-8")
    assert find_imports("outcomes.a", root) == {"outcomes", "outcomes.a.b"}
    assert compute_import_closure(["outcomes.a"], root) == {
        "outcomes",
        "outcomes.a",
        "outcomes.a.b",
        "outcomes.c",
    }


def test_find_dynamic_imports__computed_names_only(tmp_path: Path):
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "m.py": """
                import importlib
                NAMES = ("outcomes.x",)
                importlib.import_module("outcomes.m")
                importlib.import_module(".m", package="outcomes")
                for name in NAMES:
                    importlib.import_module(name)
                importlib.import_module(".m", __name__)
                """,
        },
    )
    calls = find_dynamic_imports("outcomes.m", root)
    assert [(c.line, c.source) for c in calls] == [
        (7, "importlib.import_module(name)"),
        (8, "importlib.import_module('.m', __name__)"),
    ]
    assert find_imports("outcomes.m", root) == {"outcomes"}


def test_list_modules__names_every_source_file():
    modules = list_modules()
    assert modules["outcomes"] == SRC / "__init__.py"
    assert modules["outcomes.derive.advisit"] == SRC / "derive" / "advisit.py"
    assert len(modules) == len(list(SRC.rglob("*.py")))
