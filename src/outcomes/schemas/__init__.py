"""Pandera (polars) schemas: the export tables and the derived datasets; also the data dictionary."""

from outcomes.schemas.export import (
    EXPORT_COLUMNS,
    ColumnSpec,
    export_schema,
    export_schemas,
    polars_dtype,
)

__all__ = ["EXPORT_COLUMNS", "ColumnSpec", "export_schema", "export_schemas", "polars_dtype"]
