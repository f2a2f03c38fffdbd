"""Methods and data dictionary of the report, generated from the objects the code runs on.

The methods text comes from (1) the ``describe()`` of each stage's parameter dataclass, built
from the same config section the stage reads, and (2) every configured key with the description
that ``config/config.schema.json`` gives it. The data dictionary comes from the pandera schemas
of :mod:`outcomes.schemas` (the export tables and every derived-dataset schema defined in the
modules of :data:`SCHEMA_MODULES`).

Every stage module listed in :data:`PARAM_MODULES` must describe itself: a module without a
dataclass that has ``from_config`` and ``describe``, or a describing dataclass that cannot be built
from the configuration, is an :class:`~outcomes.errors.OutcomesError`, never left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pandera.polars as pa
import polars as pl

from outcomes.analysis import params as analysis_params
from outcomes.config import load_schema
from outcomes.derive import params as derive_params
from outcomes.drugs import params as medication_params
from outcomes.endpoints import params as endpoint_params
from outcomes.errors import OutcomesError
from outcomes.report import params as report_params
from outcomes.schemas import adam as adam_schemas
from outcomes.schemas import dictionary as dictionary_schemas
from outcomes.schemas import endpoints as endpoint_schemas
from outcomes.schemas import export as export_table_schemas
from outcomes.validate import params as validation_params


@dataclass(frozen=True)
class StageParams:
    """A stage's parameter module and the config section of each of its describing dataclasses.

    Attributes
    ----------
    module
        The stage's parameter module.
    sections
        Name of every dataclass of ``module`` that has ``from_config`` and ``describe`` → the
        config section it is built from; its sentences are listed under that section.
    whole_config
        Names of the dataclasses whose ``from_config`` takes the whole configuration (they read
        several sections); they are still listed under their entry of ``sections``.
    """

    module: ModuleType
    sections: Mapping[str, str]
    whole_config: frozenset[str] = field(default_factory=frozenset)


#: Parameter module of each stage, in data-flow order, and the sections its dataclasses read.
PARAM_MODULES: tuple[StageParams, ...] = (
    StageParams(
        validation_params,
        {"ValidationParams": "validation"},
        whole_config=frozenset({"ValidationParams"}),
    ),
    StageParams(derive_params, {"Criteria": "criteria"}),
    StageParams(medication_params, {"MedicationParams": "medications"}),
    StageParams(endpoint_params, {"EndpointParams": "endpoints", "SafetyParams": "safety"}),
    StageParams(
        analysis_params,
        {
            "SurvivalParams": "analysis",
            "ResponseParams": "analysis",
            "ActivityParams": "analysis",
            "SafetyParams": "analysis",
            "ObdParams": "analysis",
        },
    ),
    StageParams(report_params, {"ReportParams": "report"}),
)

#: Every module of :mod:`outcomes.schemas`; the data dictionary reads the schemas found in them.
SCHEMA_MODULES: tuple[ModuleType, ...] = (
    adam_schemas,
    dictionary_schemas,
    endpoint_schemas,
    export_table_schemas,
)

#: What a ``from_config`` raises on a section it cannot be built from.
_BUILD_ERRORS = (AttributeError, KeyError, TypeError, ValueError, OutcomesError)


def list_describing_classes(stage: StageParams) -> list[type]:
    """The dataclasses of ``stage.module`` with ``from_config`` and ``describe``, in source order.

    Parameters
    ----------
    stage
        A stage parameter module and the sections of its describing dataclasses.

    Returns
    -------
    list[type]
        The describing classes defined in the module (not imported into it).

    Raises
    ------
    OutcomesError
        When the module has no describing class, when one of them has no section in
        ``stage.sections``, or when ``stage.sections`` names a class that is not one of them.
    """
    name = stage.module.__name__
    found = [
        obj
        for obj in vars(stage.module).values()
        if isinstance(obj, type)
        and obj.__module__ == name
        and callable(getattr(obj, "from_config", None))
        and callable(getattr(obj, "describe", None))
    ]
    if not found:
        raise OutcomesError(
            f"{name}: no class with from_config() and describe(); every stage listed in "
            "outcomes.report.methods.PARAM_MODULES must describe its configured methods for the "
            "report's methods section. Add describe() to the stage's parameter dataclass."
        )
    names = [cls.__name__ for cls in found]
    unlisted = [n for n in names if n not in stage.sections]
    if unlisted:
        raise OutcomesError(
            f"{name}: {', '.join(unlisted)} has from_config() and describe() but no config "
            "section in outcomes.report.methods.PARAM_MODULES. Add the section it is built from."
        )
    unknown = [n for n in stage.sections if n not in names]
    if unknown:
        raise OutcomesError(
            f"{name}: {', '.join(unknown)} is listed in outcomes.report.methods.PARAM_MODULES "
            "but is not a class of this module with from_config() and describe()."
        )
    return found


def _describe(stage: StageParams, cls: type, config: Mapping[str, Any]) -> tuple[str, ...]:
    """The sentences of ``cls`` built from its section of ``config`` (or the whole config)."""
    section = stage.sections[cls.__name__]
    where = f"{stage.module.__name__}.{cls.__name__}"
    if cls.__name__ in stage.whole_config:
        source, words = config, "the configuration"
    elif section in config:
        source, words = config[section], f"config section {section!r}"
    else:
        raise OutcomesError(
            f"{where}: the configuration has no section {section!r} to build it from; the "
            "methods section needs a complete configuration."
        )
    try:
        params = cls.from_config(source)  # type: ignore[attr-defined]
    except _BUILD_ERRORS as exc:
        raise OutcomesError(
            f"{where}: cannot be built from {words} ({type(exc).__name__}: {exc})."
        ) from exc
    return tuple(str(s) for s in params.describe())


def summarize_definitions(config: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """``(section, sentences)`` from the ``describe()`` of every stage parameter dataclass.

    Each describing dataclass of :data:`PARAM_MODULES` is built from its config section (or the
    whole configuration) and its sentences are listed under that section; the dataclasses of
    one section follow each other in stage and source order.

    Parameters
    ----------
    config
        A complete, checked configuration.

    Returns
    -------
    list[tuple[str, tuple[str, ...]]]
        One entry per config section, in the order the stages first name it.

    Raises
    ------
    OutcomesError
        When a stage has no describing dataclass, or one cannot be built from ``config``; the
        message names the module, the class and the reason.
    """
    out: dict[str, list[str]] = {}
    for stage in PARAM_MODULES:
        for cls in list_describing_classes(stage):
            out.setdefault(stage.sections[cls.__name__], []).extend(_describe(stage, cls, config))
    return [(section, tuple(sentences)) for section, sentences in out.items()]


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
    """The export tables, then every schema (object or model) defined in :data:`SCHEMA_MODULES`."""
    yield from export_table_schemas.export_schemas().items()
    for module in SCHEMA_MODULES:
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
