"""Export validation: every problem located (table, row, column, value) and explained by a rule."""

from typing import Any

from outcomes.imports import load_public

__all__ = [
    "RULES",
    "Rule",
    "ValidationReport",
    "render_rules_markdown",
    "validate_export",
    "write_validation_report",
]


def __getattr__(name: str) -> Any:
    """A public name of the package, its module imported on first use (``load_public``)."""
    return load_public(__name__, name, __all__, _load_public)


def _load_public() -> dict[str, Any]:
    from outcomes.validate.catalogue import RULES, Rule, render_rules_markdown
    from outcomes.validate.report import ValidationReport, write_validation_report
    from outcomes.validate.run import validate_export

    return {
        "RULES": RULES,
        "Rule": Rule,
        "ValidationReport": ValidationReport,
        "render_rules_markdown": render_rules_markdown,
        "validate_export": validate_export,
        "write_validation_report": write_validation_report,
    }
