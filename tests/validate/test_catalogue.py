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
        assert rule.severity in ("ERROR", "WARNING")
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
    assert all(RULES[r].severity == "ERROR" for r in ["STR-001", "KEY-001", "CON-011", "DAT-003"])


def test_render_rules_markdown__docs_file_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render_rules_markdown(), (
        "Regenerate docs/validation-rules.md with outcomes.validate.render_rules_markdown()"
    )
