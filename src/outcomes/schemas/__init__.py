"""Pandera (polars) schemas of the export tables and derived datasets: the data dictionary."""

from outcomes.schemas.export import (
    EXPORT_COLUMNS,
    ColumnSpec,
    export_schema,
    export_schemas,
    polars_dtype,
)

__all__ = ["EXPORT_COLUMNS", "ColumnSpec", "export_schema", "export_schemas", "polars_dtype"]
