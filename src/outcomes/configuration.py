"""The whole configuration check: the JSON schema, then every section owner's cross-field rules.

The foundation (:mod:`outcomes.config`) reads files and checks the schema but imports no stage;
the rules that span several keys live beside the code that owns each section and are marked with
:func:`outcomes.config.register_check`. This module, at the boundary of the package like the
command line and the steps, lists the owners and runs their rules.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from outcomes import config as data_section
from outcomes import eligibility
from outcomes.analysis import params as analysis_params
from outcomes.config import (
    DEFAULT_CONFIG,
    CrossFieldCheck,
    check_config_schema,
    merge,
    raise_config_problems,
    read_config_file,
)
from outcomes.derive import params as derive_params
from outcomes.drugs import params as medication_params
from outcomes.endpoints import params as endpoint_params
from outcomes.report import params as report_params
from outcomes.validate import params as validation_params

#: Modules that own config sections, in the order their rules are run.
SECTION_OWNERS: tuple[ModuleType, ...] = (
    data_section,
    eligibility,
    validation_params,
    derive_params,
    medication_params,
    endpoint_params,
    analysis_params,
    report_params,
)


def collect_checks(owners: tuple[ModuleType, ...] = SECTION_OWNERS) -> list[CrossFieldCheck]:
    """The cross-field rules marked with ``register_check`` in ``owners``, in definition order."""
    return [
        obj
        for module in owners
        for obj in vars(module).values()
        if callable(obj) and getattr(obj, "is_config_check", False)
    ]


def validate_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``config`` and return a deep copy of it.

    The cross-field rules run only on a configuration whose shape the schema accepts.

    Raises
    ------
    ConfigError
        Listing every schema violation and cross-field problem, each with its key path.
    """
    problems = check_config_schema(config)
    if not problems:
        for check in collect_checks():
            problems.extend(check(config))
    raise_config_problems(problems)
    return copy.deepcopy(dict(config))


def load_config(
    path: Path = DEFAULT_CONFIG, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Read, override (nested keys merged) and check a configuration.

    A study's own file need not repeat every key: it is merged over the shipped
    ``config/config.yaml`` (mappings key by key; lists and values replaced), then ``overrides``.
    """
    config = read_config_file(DEFAULT_CONFIG)
    if Path(path).resolve() != DEFAULT_CONFIG.resolve():
        config = merge(config, read_config_file(Path(path)))
    if overrides:
        config = merge(config, overrides)
    return validate_config(config)
