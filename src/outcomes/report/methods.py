"""Methods and data dictionary of the report, generated from the objects the code runs on.

The methods text comes from (1) the ``describe()`` of each stage's parameter dataclass, built
from the same config section the stage reads, and (2) every configured key with the description
that ``config/config.schema.json`` gives it. The data dictionary comes from the pandera schemas
of :mod:`outcomes.schemas` (the export tables and every derived-dataset schema found there).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from typing import Any

import pandera.polars as pa
import polars as pl

from outcomes.config import load_schema
from outcomes.errors import OutcomesError

#: Parameter modules of each stage and the config sections their dataclasses are built from.
PARAM_MODULES: dict[str, tuple[str, ...]] = {
    "outcomes.validate.params": ("validation",),
    "outcomes.derive.params": ("visits", "scores", "criteria"),
    "outcomes.drugs.params": ("medications",),
    "outcomes.endpoints.params": ("endpoints", "safety"),
    "outcomes.analysis.params": ("analysis",),
    "outcomes.report.params": ("report",),
}
_BUILD_ERRORS = (AttributeError, KeyError, TypeError, ValueError, OutcomesError)


def _describing_classes(module_name: str) -> list[type]:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return []
    return [
        obj
        for name, obj in sorted(vars(module).items())
        if isinstance(obj, type)
        and obj.__module__ == module_name
        and callable(getattr(obj, "from_config", None))
        and callable(getattr(obj, "describe", None))
    ]


def summarize_definitions(config: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """``(section, sentences)`` from the ``describe()`` of every stage parameter dataclass.

    Each dataclass of :data:`PARAM_MODULES` that has ``from_config`` and ``describe`` is built
    from the first of its module's config sections it accepts (then from the whole config); one
    that cannot be built from this configuration yet is skipped (its keys still appear in
    :func:`summarize_settings`).
    """
    out = []
    for module_name, sections in PARAM_MODULES.items():
        for cls in _describing_classes(module_name):
            candidates = [(s, config[s]) for s in sections if s in config] + [("config", config)]
            for section, value in candidates:
                try:
                    sentences = tuple(str(s) for s in cls.from_config(value).describe())
                except _BUILD_ERRORS:
                    continue
                out.append((section, sentences))
                break
    return out


def _leaves(value: Any, schema: Mapping[str, Any], path: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, Mapping):
        props = schema.get("properties", {})
        for key in value:
            yield from _leaves(value[key], props.get(key, {}), f"{path}.{key}" if path else key)
    elif isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
        for i, item in enumerate(value):
            yield from _leaves(item, schema.get("items", {}), f"{path}[{i}]")
    else:
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        yield path, shown, str(schema.get("description", ""))


def summarize_settings(config: Mapping[str, Any]) -> pl.DataFrame:
    """Every configured key: ``KEY`` (path), ``VALUE`` and ``MEANING`` (schema description)."""
    rows = list(_leaves(config, load_schema(), ""))
    return pl.DataFrame(rows, schema=["KEY", "VALUE", "MEANING"], orient="row")


def _schemas() -> Iterator[tuple[str, pa.DataFrameSchema]]:
    from outcomes.schemas import export_schemas

    yield from export_schemas().items()
    package = importlib.import_module("outcomes.schemas")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name == "export":
            continue
        module = importlib.import_module(f"outcomes.schemas.{info.name}")
        for name in sorted(vars(module)):
            obj = getattr(module, name)
            if isinstance(obj, pa.DataFrameSchema):
                yield obj.name or name, obj
            elif (
                isinstance(obj, type)
                and issubclass(obj, pa.DataFrameModel)
                and obj is not pa.DataFrameModel
                and obj.__module__ == module.__name__
            ):
                yield name, obj.to_schema()


def summarize_dictionary() -> pl.DataFrame:
    """One row per column of every schema: ``DATASET, COLUMN, TYPE, NULLABLE, LABEL``."""
    rows = []
    seen = set()
    for dataset, schema in _schemas():
        if dataset in seen:
            continue
        seen.add(dataset)
        for column, spec in schema.columns.items():
            rows.append(
                (
                    dataset,
                    column,
                    str(spec.dtype),
                    "yes" if spec.nullable else "no",
                    spec.description or "",
                )
            )
    return pl.DataFrame(
        rows, schema=["DATASET", "COLUMN", "TYPE", "NULLABLE", "LABEL"], orient="row"
    )
