# Workflow of outcomes: export -> validation -> per-visit states -> subject endpoints -> analyses
# -> report. Wiring only: every rule calls one step function of outcomes.steps.

from snakemake.utils import min_version

min_version("8.20")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/interop.smk"
include: "workflow/rules/medications.smk"
include: "workflow/rules/derive.smk"
include: "workflow/rules/endpoints.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/report.smk"


if CFG["data"]["shards"] > 1:

    include: "workflow/rules/shards.smk"


rule all:
    default_target: True
    input:
        final_targets(),
