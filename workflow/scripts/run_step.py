"""Adapter from a Snakemake rule to its step function in ``outcomes.steps``; no logic here.

The step runs in the step server when the run has one (``outcomes.steps.server``), else here.
"""

from outcomes.stepclient import run_rule

run_rule(snakemake)  # type: ignore[name-defined]  # noqa: F821
