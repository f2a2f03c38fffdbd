"""The configuration keys the TFLs read (the TFL rule's parameters), importable without the
TFL builders and their statistics libraries (the workflow reads it while it is parsed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Default of ``report.listing_max_rows``: most records a listing shows.
LISTING_MAX_ROWS = 2000


def select_tfl_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of a checked configuration that the TFLs read, and only those.

    The TFL rules get this as their parameters, so that changing another key does not re-run
    them.
    """
    return {
        "study": {"dose_levels": list(config["study"]["dose_levels"])},
        "analysis": {
            "safety": {"severe_grade_ge": config["analysis"]["safety"]["severe_grade_ge"]},
            "activity": {"params": list(config["analysis"]["activity"]["params"])},
        },
        "report": {
            "conf_level": config["report"]["conf_level"],
            "km_conf_type": config["report"]["km_conf_type"],
            "listing_max_rows": config["report"].get("listing_max_rows", LISTING_MAX_ROWS),
        },
    }
