"""Which modules of ``outcomes`` a module imports, in every form Python allows.

A rule's results depend on the code its process runs, and Snakemake does not look inside an
imported package. This module reads the source (it imports nothing) and finds, for each module,
the ``outcomes`` modules it imports:

- ``import outcomes.a.b`` and ``from outcomes.a import b`` (``b`` a submodule or a name);
- ``from outcomes import x`` and relative imports (``from . import x``, ``from ..a import y``);
- ``importlib.import_module("outcomes.x")`` and ``__import__("outcomes.x")`` with a literal name;
- imports inside functions (they may run) but not those under ``if TYPE_CHECKING:`` (they never
  run).

Importing a module runs the ``__init__`` of every package above it, so those count too.
:func:`find_dynamic_imports` lists the calls whose module name is not a literal: a module that
makes one must say, through its caller, which modules it can reach (the step dispatcher does this
with ``outcomes.steps.RULE_MODULES``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = "outcomes"
SRC = Path(__file__).resolve().parent

_IMPORT_FUNCTIONS = ("import_module", "__import__")


@dataclass(frozen=True)
class DynamicImport:
    """A call that imports a module whose name is computed at run time."""

    module: str
    line: int
    source: str


@cache
def list_modules(root: Path = SRC) -> dict[str, Path]:
    """Every module of the package under ``root``: dotted name -> source file."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join([PACKAGE, *parts])] = path
    return modules


def _is_package(name: str, root: Path) -> bool:
    return list_modules(root)[name].name == "__init__.py"


def _resolve_relative(module: str, level: int, target: str | None, root: Path) -> str:
    """The absolute name of ``from <level dots><target> import ...`` written in ``module``."""
    base = module.split(".")
    if not _is_package(module, root):
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, target] if target else base)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    skipped.update(id(n) for n in ast.walk(child))
    return skipped


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal_module(node: ast.Call, root: Path) -> str | None:
    """The module a literal ``import_module(name[, package])`` call imports, else ``None``.

    A relative name is resolved against the literal ``package`` argument (as ``importlib`` does);
    without one it is not a literal import.
    """
    first = node.args[0] if node.args else None
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    name = first.value
    if not name.startswith("."):
        return name
    package = node.args[1] if len(node.args) > 1 else None
    package = next((k.value for k in node.keywords if k.arg == "package"), package)
    if not (isinstance(package, ast.Constant) and isinstance(package.value, str)):
        return None
    if _call_name(node) != "import_module" or package.value not in list_modules(root):
        return None
    level = len(name) - len(name.lstrip("."))
    return _resolve_relative(package.value, level, name.lstrip(".") or None, root)


def _named_imports(module: str, tree: ast.AST, root: Path) -> Iterator[str]:
    skipped = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = (
                _resolve_relative(module, node.level, node.module, root)
                if node.level
                else node.module or ""
            )
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _call_name(node) in _IMPORT_FUNCTIONS:
            name = _literal_module(node, root)
            if name is not None:
                yield name


def _with_parents(name: str) -> Iterator[str]:
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        yield ".".join(parts[:i])


@cache
def find_imports(module: str, root: Path = SRC) -> frozenset[str]:
    """The ``outcomes`` modules that importing ``module`` imports directly (parents included).

    Parameters
    ----------
    module
        Dotted name, e.g. ``"outcomes.derive.advisit"``.
    root
        Folder of the ``outcomes`` package.
    """
    modules = list_modules(root)
    tree = ast.parse(modules[module].read_text(encoding="utf-8"), filename=str(modules[module]))
    found = set()
    for name in _named_imports(module, tree, root):
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            found.update(parent for parent in _with_parents(name) if parent in modules)
    found.update(parent for parent in _with_parents(module) if parent in modules)
    found.discard(module)
    return frozenset(found)


def compute_import_closure(roots: Iterable[str], root: Path = SRC) -> frozenset[str]:
    """Every ``outcomes`` module that importing all of ``roots`` can run, ``roots`` included."""
    modules = list_modules(root)
    unknown = sorted(set(roots) - set(modules))
    if unknown:
        raise KeyError(f"not modules of {PACKAGE}: {', '.join(unknown)}")
    seen: set[str] = set()
    todo = [parent for name in roots for parent in _with_parents(name) if parent in modules]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(find_imports(name, root) - seen)
    return frozenset(seen)


def compute_source_files(roots: Iterable[str], root: Path = SRC) -> list[str]:
    """Sorted source files of :func:`compute_import_closure` (the code inputs of a process)."""
    modules = list_modules(root)
    return sorted(str(modules[name]) for name in compute_import_closure(roots, root))


def find_dynamic_imports(module: str, root: Path = SRC) -> list[DynamicImport]:
    """Import calls in ``module`` whose module name is not a literal string."""
    path = list_modules(root)[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and _call_name(node) in _IMPORT_FUNCTIONS
            and _literal_module(node, root) is None
        ):
            found.append(DynamicImport(module, node.lineno, ast.unparse(node)))
    return sorted(found, key=lambda call: call.line)


def load_public(package: str, name: str, public: Sequence[str], load: Callable[[], dict]) -> Any:
    """The value of ``name`` in ``package``, importing the package's public names on first use.

    ``load`` imports the modules that hold ``public`` (literal imports, so that
    ``outcomes.imports`` still lists them as the package's imports) and returns them by name;
    they are then set on the package, so the next use finds them without ``__getattr__``.
    Importing the package itself (or one of its modules) stays cheap.
    """
    if name not in public:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    found = load()
    vars(sys.modules[package]).update(found)
    return found[name]
