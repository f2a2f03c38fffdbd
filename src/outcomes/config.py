"""Read the configuration (``config/config.yaml``) and check it against its strict JSON schema.

The JSON schema checks shape, types, ranges and unknown keys. Rules that span several keys
(windows in order, a date that parses, ...) live beside the code that owns each section, marked
with :func:`register_check`; :mod:`outcomes.configuration` runs the schema and all of them, and
reports every problem at once, each naming its key path, in a :class:`~outcomes.errors.ConfigError`.
This module imports no stage of the data flow.
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
#: The safe YAML loader, in C where PyYAML was built with libyaml (same documents, faster).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def register_check(check: CrossFieldCheck) -> CrossFieldCheck:
    """Mark ``check`` as a cross-field rule of the config section its module owns.

    Nothing is imported or collected here: :func:`outcomes.configuration.validate_config` runs
    the marked functions of the section owners it lists.
    """
    check.is_config_check = True  # type: ignore[attr-defined]
    return check


@register_check
def _check_data_cut(config: Mapping[str, Any]) -> Iterator[str]:
    text = config["data"]["data_cut"]
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        yield f"data.data_cut: {text!r} is not a calendar date (YYYY-MM-DD)"


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


def check_config_schema(config: Mapping[str, Any]) -> list[str]:
    """Every violation of the JSON schema by ``config``, each naming its key path."""
    validator = jsonschema.Draft202012Validator(load_schema())
    problems = find_non_finite_numbers(config)
    for error in sorted(
        validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))
    ):
        if error.validator == "additionalProperties":
            problems.append(f"{_key_path(error)}: {error.message} (unknown key)")
        else:
            problems.append(f"{_key_path(error)}: {error.message}")
    return problems


def raise_config_problems(problems: list[str]) -> None:
    """Raise one :class:`ConfigError` listing ``problems`` (nothing when there are none)."""
    if problems:
        raise ConfigError(
            "Configuration is not valid:\n  - "
            + "\n  - ".join(problems)
            + "\nFix these keys (config/config.schema.json describes each one)."
        )


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
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
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
