# Workflow of outcomes: export -> validation -> per-visit states -> subject endpoints -> analyses
# -> report. Wiring only: every rule calls one step function of outcomes.steps.

from snakemake.utils import min_version

min_version("8.20")


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"


rule all:
    default_target: True
    input:
        final_targets(),
