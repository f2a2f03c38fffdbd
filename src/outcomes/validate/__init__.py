"""Export validation: every problem located (table, row, column, value) and explained by a rule."""

from outcomes.validate.catalogue import RULES, Rule, render_rules_markdown
from outcomes.validate.report import ValidationReport, write_validation_report
from outcomes.validate.run import validate_export

__all__ = [
    "RULES",
    "Rule",
    "ValidationReport",
    "render_rules_markdown",
    "validate_export",
    "write_validation_report",
]
