"""The generated blocks of README.md match the schemas and the configuration they describe."""

from __future__ import annotations

from outcomes.documentation import README, update_text


def test_readme_generated_blocks_are_up_to_date():
    current = README.read_text(encoding="utf-8")
    assert update_text(current) == current, "run `python -m outcomes.documentation`"


WORKFLOW = "pip install -c requirements-lock.txt -e . && snakemake --cores 2"
TESTS = 'pip install -c requirements-lock.txt -e ".[test]" && pytest -n auto'


def test_readme_quick_start_has_the_two_commands_and_ci_runs_them():
    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ")[0]
    commands = [b.strip() for b in quick_start.split("```bash\n")[1:3]]
    assert [c.split("\n```")[0] for c in commands] == [WORKFLOW, TESTS]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert WORKFLOW in ci and TESTS in ci
