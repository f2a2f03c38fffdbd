"""Render the data dictionary of derived datasets as markdown, from their pandera schemas.

Every schema listed in :data:`outcomes.schemas.adam.DICTIONARY_SCHEMAS` (or any list passed in)
becomes one markdown table: column, type, whether it may be null, and its description.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandera.polars as pa


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_schema_markdown(schema: pa.DataFrameSchema) -> str:
    """One schema as a markdown section: ``### name`` and a table of its columns."""
    lines = [
        f"### {schema.name}",
        "",
        "| column | type | null allowed | description |",
        "|---|---|---|---|",
    ]
    for name, column in schema.columns.items():
        nullable = "yes" if column.nullable else "no"
        lines.append(
            f"| `{name}` | {column.dtype} | {nullable} | {_escape(column.description or '')} |"
        )
    return "\n".join(lines) + "\n"


def render_data_dictionary(schemas: Sequence[pa.DataFrameSchema] | None = None) -> str:
    """The data dictionary of ``schemas`` (default: adsl and advisit) as markdown.

    Flags are Boolean and three-valued: null means not evaluable.
    """
    if schemas is None:
        from outcomes.schemas.adam import DICTIONARY_SCHEMAS

        schemas = DICTIONARY_SCHEMAS
    intro = (
        "## Data dictionary\n\nGenerated from the pandera schemas. Flags are Boolean; "
        "null = not evaluable.\n"
    )
    return "\n".join([intro, *(render_schema_markdown(s) for s in schemas)])
