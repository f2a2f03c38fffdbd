"""The generated blocks of README.md match the schemas and the configuration they describe."""

from __future__ import annotations

from outcomes.documentation import README, update_text


def test_readme_generated_blocks_are_up_to_date():
    current = README.read_text(encoding="utf-8")
    assert update_text(current) == current, "run `python -m outcomes.documentation`"


def test_readme_quick_start_has_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "pip install -e . && snakemake --cores 2" in text
    assert 'pip install -e ".[test]" && pytest' in text
