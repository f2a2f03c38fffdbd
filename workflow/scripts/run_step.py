"""Adapter from a Snakemake rule to its step function in ``outcomes.steps``; no logic here."""

from outcomes.steps import run_step

run_step(snakemake)  # type: ignore[name-defined]  # noqa: F821
