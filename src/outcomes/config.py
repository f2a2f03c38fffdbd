"""Load and check the configuration (``config/config.yaml``) against its strict JSON schema.

The JSON schema checks shape, types, ranges and unknown keys; :data:`CROSS_FIELD_CHECKS` holds the
rules that span several keys (windows in order, a date that parses, ...). Every problem is
reported at once, each naming its key path, in a :class:`~outcomes.errors.ConfigError`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from outcomes.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO_ROOT / "config" / "config.yaml"
SCHEMA_PATH = REPO_ROOT / "config" / "config.schema.json"

CrossFieldCheck = Callable[[Mapping[str, Any]], Iterator[str]]


def _check_data_cut(config: Mapping[str, Any]) -> Iterator[str]:
    text = config["data"]["data_cut"]
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        yield f"data.data_cut: {text!r} is not a calendar date (YYYY-MM-DD)"


CROSS_FIELD_CHECKS: list[CrossFieldCheck] = [_check_data_cut]

#: Modules that own a config section and register its cross-field checks on import.
SECTION_MODULES: tuple[str, ...] = (
    "outcomes.eligibility",
    "outcomes.validate.params",
    "outcomes.derive.params",
    "outcomes.derive.medications.params",
    "outcomes.endpoints.params",
    "outcomes.analysis.params",
    "outcomes.report.params",
)


def register_check(check: CrossFieldCheck) -> CrossFieldCheck:
    """Add a cross-field rule (used as a decorator by the modules that own a config section)."""
    CROSS_FIELD_CHECKS.append(check)
    return check


def load_schema() -> dict[str, Any]:
    """The JSON schema of the configuration."""
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def _key_path(error: jsonschema.ValidationError) -> str:
    parts = ["config"]
    for p in error.absolute_path:
        parts.append(f"[{p}]" if isinstance(p, int) else f".{p}")
    return "".join(parts)


def validate_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``config`` and return a deep copy of it.

    Raises
    ------
    ConfigError
        Listing every schema violation and cross-field problem, each with its key path.
    """
    validator = jsonschema.Draft202012Validator(load_schema())
    problems = find_non_finite_numbers(config)
    for error in sorted(
        validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))
    ):
        if error.validator == "additionalProperties":
            problems.append(f"{_key_path(error)}: {error.message} (unknown key)")
        else:
            problems.append(f"{_key_path(error)}: {error.message}")
    if not problems:
        _import_section_owners()
        for check in CROSS_FIELD_CHECKS:
            problems.extend(check(config))
    if problems:
        raise ConfigError(
            "Configuration is not valid:\n  - "
            + "\n  - ".join(problems)
            + "\nFix these keys (config/config.schema.json describes each one)."
        )
    return copy.deepcopy(dict(config))


def find_non_finite_numbers(value: Any, path: str = "config") -> list[str]:
    """Every key holding NaN or an infinity (``.nan``, ``.inf`` in YAML), which no threshold can
    be: JSON Schema bounds do not reject them, so they are found here, anywhere in the config."""
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{path}: {value!r} is not a finite number"]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in find_non_finite_numbers(v, f"{path}.{k}")]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in find_non_finite_numbers(v, f"{path}[{i}]")]
    return []


def _import_section_owners() -> None:
    """Import the modules that register cross-field checks for their config sections."""
    import importlib

    for module in SECTION_MODULES:
        importlib.import_module(module)


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse a YAML config file (no checks).

    Raises
    ------
    ConfigError
        When the file is missing or is not a YAML mapping.
    """
    if not path.is_file():
        raise ConfigError(f"Config file {path} does not exist.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Config file {path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
            f"position {exc.start}); save it as UTF-8."
        ) from exc
    except OSError as exc:
        raise ConfigError(f"Config file {path} cannot be read: {exc.strerror or exc}.") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"Config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"Config file {path} must hold a mapping of sections at the top level.")
    return data


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


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Nested merge: mappings are merged key by key, everything else replaced."""
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def output_dir(config: Mapping[str, Any]) -> str:
    """This data cut's output folder: ``data.output_dir`` or ``results/cut-<data_cut>``."""
    configured = config["data"]["output_dir"]
    return str(configured) if configured else f"results/cut-{config['data']['data_cut']}"


def export_dir(config: Mapping[str, Any]) -> str:
    """The export folder: the demo folder when ``data.export`` is ``demo``."""
    export = config["data"]["export"]
    return str(config["demo"]["folder"]) if export == "demo" else str(export)
