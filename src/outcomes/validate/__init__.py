"""Export validation: every problem located (table, row, column, value) and explained by a rule."""

from typing import Any

__all__ = [
    "RULES",
    "Rule",
    "ValidationReport",
    "render_rules_markdown",
    "validate_export",
    "write_validation_report",
]


def __getattr__(name: str) -> Any:
    """A public name of the package, importing its module on first use.

    Importing the package (or one of its modules, such as its ``params``, which the
    configuration check reads) does not load the statistics and schema libraries behind the
    public functions.
    """
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from outcomes.validate.catalogue import RULES, Rule, render_rules_markdown
    from outcomes.validate.report import ValidationReport, write_validation_report
    from outcomes.validate.run import validate_export

    found = {
        "RULES": RULES,
        "Rule": Rule,
        "ValidationReport": ValidationReport,
        "render_rules_markdown": render_rules_markdown,
        "validate_export": validate_export,
        "write_validation_report": write_validation_report,
    }
    globals().update(found)
    return found[name]
