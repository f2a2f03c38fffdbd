"""Generated parts of the README: input and output data dictionaries and the config reference.

Each part is rendered from the objects the code uses (pandera schemas, the export column specs,
the config JSON schema and the shipped config), so the documentation cannot drift from the code.
``python -m outcomes.documentation`` rewrites the marked blocks of README.md;
``--check`` exits 1 when they are out of date (the test suite runs the same check).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import pandera.polars as pa
import yaml

from outcomes.config import DEFAULT_CONFIG, REPO_ROOT, SCHEMA_PATH
from outcomes.schemas.dictionary import render_schema_markdown
from outcomes.schemas.export import EXPORT_COLUMNS

README = REPO_ROOT / "README.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_input_dictionary() -> str:
    """Every export column of data-contract §1, table by table."""
    parts = []
    for table, specs in EXPORT_COLUMNS.items():
        lines = [
            f"#### `{table}`",
            "",
            "| column | type | required | allowed / range | meaning |",
            "|---|---|---|---|---|",
        ]
        for s in specs:
            rng = ", ".join(s.allowed) if s.allowed else ""
            if s.minimum is not None or s.maximum is not None:
                low = "" if s.minimum is None else s.minimum
                high = "" if s.maximum is None else s.maximum
                rng = f"{low} – {high}"
            lines.append(
                f"| `{s.name}` | {s.type} | {s.required} | {_cell(rng)} | {_cell(s.description)} |"
            )
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def output_schemas() -> list[pa.DataFrameSchema]:
    """Schemas of every dataset the pipeline writes, in data-flow order."""
    from outcomes.schemas.adam import ADSL, advisit_schema
    from outcomes.schemas.endpoints import ADAE, ADEPI, ADRS, ADSAFE, ADTTE

    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    k_values = tuple(config["criteria"]["sri"]["k_values"])
    return [ADSL, advisit_schema(k_values), ADRS, ADEPI, ADTTE, ADAE, ADSAFE]


def render_output_dictionary() -> str:
    """Every derived column of the ADaM-like datasets, from their pandera schemas."""
    return "\n".join(render_schema_markdown(s) for s in output_schemas())


def _walk(schema: Mapping[str, Any], value: Any, path: str) -> Iterator[tuple[str, str, str, str]]:
    if schema.get("type") == "object" and "properties" in schema and isinstance(value, Mapping):
        for key, sub in schema["properties"].items():
            yield from _walk(sub, value.get(key), f"{path}.{key}" if path else key)
        return
    kind = schema.get("type", "")
    kind = "/".join(kind) if isinstance(kind, list) else kind
    limits = [
        f"{k} {schema[k]}"
        for k in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
        if k in schema
    ]
    if "enum" in schema:
        limits.append("one of " + ", ".join(map(str, schema["enum"])))
    shown = json.dumps(value, ensure_ascii=False)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    yield path, f"{kind} {'; '.join(limits)}".strip(), shown, schema.get("description", "")


def render_config_reference() -> str:
    """Every configuration key: type and range from the JSON schema, shipped value, meaning."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    lines = ["| key | type / range | default | meaning |", "|---|---|---|---|"]
    for path, kind, value, description in _walk(schema, config, ""):
        lines.append(f"| `{path}` | {_cell(kind)} | `{_cell(value)}` | {_cell(description)} |")
    return "\n".join(lines) + "\n"


def render_decisions() -> str:
    """The decisions table of docs/decisions.md: every [D-nn] with its config key and default."""
    text = (REPO_ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return "\n".join(rows) + "\n"


BLOCKS = {
    "decisions": render_decisions,
    "input-dictionary": render_input_dictionary,
    "output-dictionary": render_output_dictionary,
    "config-reference": render_config_reference,
}


def update_text(text: str) -> str:
    """``text`` with every ``<!-- BEGIN name -->…<!-- END name -->`` block regenerated."""
    for name, render in BLOCKS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.DOTALL)
        text = pattern.sub(lambda m, r=render: m.group(1) + r() + m.group(2), text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the generated blocks of README.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md is stale")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    fresh = update_text(current)
    if args.check:
        if fresh != current:
            print("README.md is out of date: run `python -m outcomes.documentation`.")
            return 1
        return 0
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
