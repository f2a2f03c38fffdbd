"""The rule catalogue: stable ids, severities, one sentence each; docs/validation-rules.md is
generated from it and must be up to date."""

from __future__ import annotations

import re
from pathlib import Path

from outcomes.validate import RULES, render_rules_markdown
from outcomes.validate.catalogue import GROUPS

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation-rules.md"


def test_rules__ids_severities_and_sentences():
    for rule_id, rule in RULES.items():
        assert re.fullmatch(r"(STR|VAL|KEY|DAT|CON|ELG|TRN)-\d{3}", rule_id)
        assert rule.id == rule_id
        assert rule.severity in ("FATAL", "ERROR", "WARNING")
        assert rule.group == GROUPS[rule_id[:3]]
        assert rule.text.endswith(".") and rule.text[0].isupper()


def test_rules__severities_fixed_by_the_contract():
    warnings = [
        "DAT-008",
        "CON-007",
        "CON-012",
        "ELG-001",
        "CON-010",
        "CON-009",
        "CON-005",
        "VAL-007",
        "VAL-008",
    ]
    assert all(RULES[r].severity == "WARNING" for r in warnings)
    assert all(RULES[r].severity == "WARNING" for r in ["VAL-012"])
    # data-contract §1.6: the export as a whole cannot be derived
    fatal = ["STR-001", "STR-002", "STR-004", "STR-005", "STR-008", "KEY-001"]
    assert all(RULES[r].severity == "FATAL" for r in fatal)
    assert all(RULES[r].severity == "ERROR" for r in ["VAL-001", "CON-011", "CON-013", "DAT-003"])


def test_rules__every_error_states_what_the_run_does_with_its_record():
    """§1.6: an ERROR's record is excluded or its value set missing (listed in excluded.csv),
    or the rule says the record is used as recorded; FATAL and WARNING rules have no action."""
    used_as_recorded = {"STR-003", "VAL-010", "DAT-006", "DAT-007", "CON-008"}
    for rule in RULES.values():
        if rule.severity == "ERROR" and rule.id not in used_as_recorded:
            assert rule.action in ("RECORD EXCLUDED", "VALUE SET MISSING"), rule.id
        if rule.severity != "ERROR" or rule.id in used_as_recorded:
            assert rule.action is None, rule.id


def test_render_rules_markdown__docs_file_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render_rules_markdown(), (
        "Regenerate docs/validation-rules.md with outcomes.validate.render_rules_markdown()"
    )
