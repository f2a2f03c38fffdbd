"""The report's list of the transport files of a run (``transport/define.json``).

Every ADaM dataset is also written as SAS XPT v5 and CDISC Dataset-JSON v1.1
(:mod:`outcomes.interop.adam_out`); the report lists each one with its label, records, variables
and file names, read from the define-like metadata, so a reader knows what was delivered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from outcomes.report.html import render_note, render_table

DEFINE_PATH = "transport/define.json"


def summarize_transport(define: Mapping[str, Any]) -> pl.DataFrame:
    """One row per transport dataset: name, label, records, variables, XPT and JSON file names.

    Parameters
    ----------
    define
        The document of ``transport/define.json`` (``{"datasets": [{name, label, records,
        variables}, ...]}``).
    """
    rows = [
        {
            "DATASET": str(d["name"]),
            "LABEL": str(d["label"]),
            "RECORDS": int(d["records"]),
            "VARIABLES": len(d["variables"]),
            "XPT": f"transport/{str(d['name']).lower()}.xpt",
            "JSON": f"transport/{str(d['name']).lower()}.json",
        }
        for d in sorted(define.get("datasets", []), key=lambda d: str(d["name"]))
    ]
    schema = {
        "DATASET": pl.String,
        "LABEL": pl.String,
        "RECORDS": pl.Int64,
        "VARIABLES": pl.Int64,
        "XPT": pl.String,
        "JSON": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def render_transport(define: Mapping[str, Any] | None) -> list[str]:
    """The transport list as HTML, or a note naming the missing ``transport/define.json``."""
    if define is None:
        return [render_note(f"Not shown: missing input {DEFINE_PATH} (transport files).")]
    caption = (
        "ADaM datasets also delivered as SAS XPT v5 and Dataset-JSON v1.1; variable metadata "
        f"(labels, types, lengths, origins, derivations) in {DEFINE_PATH}"
    )
    return [render_table(summarize_transport(define), caption=caption)]
