# Sharded mode (config data.shards > 1; included by the Snakefile only then): the export is split
# by a hash of USUBJID into N shard exports; each shard is validated, typed and derived as its
# own jobs (wildcard `shard`); the shards' results are combined into the usual
# validation/, validated/, derived/ and adam/ files, so that every later rule runs unchanged.
# The combine rules take precedence over the rules that make the same files from the whole
# export (ruleorder).

from outcomes.shards import DATASETS as SHARD_DATASETS

SHARDS = [f"{k:03d}" for k in range(CFG["data"]["shards"])]
SHARD_ROOT = f"{OUT}/shards"
SHARD_DIR = f"{SHARD_ROOT}/shard-{{shard}}"
SHARD_FOLDERS = [f"{SHARD_ROOT}/shard-{k}" for k in SHARDS]


wildcard_constraints:
    shard=r"\d{3}",


ruleorder: combine_validation > validate_export
ruleorder: combine_validated_tables > create_validated_tables
ruleorder: combine_shard_datasets > create_adcm
ruleorder: combine_shard_datasets > create_events
ruleorder: combine_shard_datasets > create_advisit
ruleorder: combine_shard_datasets > create_adsl
ruleorder: combine_shard_datasets > create_efficacy
ruleorder: combine_shard_datasets > create_adae


rule create_shard_exports:
    input:
        export_files(),
        code=code_inputs("create_shard_exports"),
    output:
        exports=[directory(f"{folder}/export") for folder in SHARD_FOLDERS],
        rows=[f"{folder}/rows.parquet" for folder in SHARD_FOLDERS],
    params:
        export=EXPORT,
        folder=SHARD_ROOT,
        shards=CFG["data"]["shards"],
    log:
        f"{OUT}/logs/create_shard_exports.log",
    benchmark:
        f"{OUT}/logs/benchmarks/create_shard_exports.tsv",
    script:
        RUN_STEP


rule validate_shard:
    input:
        code=code_inputs("validate_shard"),
        export=f"{SHARD_DIR}/export",
    output:
        issues=f"{SHARD_DIR}/validation/issues.parquet",
        excluded=f"{SHARD_DIR}/validation/excluded.parquet",
        rules=f"{SHARD_DIR}/validation/rules.parquet",
        meta=f"{SHARD_DIR}/validation/report.json",
    params:
        config=config_without("analysis", "report"),
    log:
        f"{OUT}/logs/validate_shard-{{shard}}.log",
    benchmark:
        f"{OUT}/logs/benchmarks/validate_shard-{{shard}}.tsv",
    script:
        RUN_STEP


rule combine_validation:
    input:
        [f"{folder}/validation/{part}" for folder in SHARD_FOLDERS
         for part in ("issues.parquet", "excluded.parquet", "rules.parquet", "report.json")],
        [f"{folder}/rows.parquet" for folder in SHARD_FOLDERS],
        list_previous_inputs(CFG["validation"]["previous"]),
        code=code_inputs("combine_validation"),
    output:
        issues=f"{OUT}/validation/issues.csv",
        excluded=f"{OUT}/validation/excluded.csv",
        summary=f"{OUT}/validation/summary.json",
        report=f"{OUT}/validation/report.html",
        resolved=f"{OUT}/validation/resolved.csv",
        workbook=f"{OUT}/validation/issues.xlsx",
        sites=directory(f"{OUT}/validation/sites"),
    params:
        folders=SHARD_FOLDERS,
        previous=CFG["validation"]["previous"],
    log:
        f"{OUT}/logs/combine_validation.log",
    benchmark:
        f"{OUT}/logs/benchmarks/combine_validation.tsv",
    script:
        RUN_STEP


rule create_shard_tables:
    input:
        code=code_inputs("create_shard_tables"),
        export=f"{SHARD_DIR}/export",
        rows=f"{SHARD_DIR}/rows.parquet",
        issues=f"{SHARD_DIR}/validation/issues.parquet",
        excluded=f"{SHARD_DIR}/validation/excluded.parquet",
        # the whole export's report: written before any shard may stop on its issues
        report=f"{OUT}/validation/report.html",
    output:
        **{table: f"{SHARD_DIR}/validated/{table}.parquet" for table in TABLES},
    params:
        data_cut=CFG["data"]["data_cut"],
        on_error=CFG["validation"]["on_error"],
    log:
        f"{OUT}/logs/create_shard_tables-{{shard}}.log",
    benchmark:
        f"{OUT}/logs/benchmarks/create_shard_tables-{{shard}}.tsv",
    script:
        RUN_STEP


rule combine_validated_tables:
    input:
        [f"{folder}/validated/{table}.parquet" for folder in SHARD_FOLDERS for table in TABLES],
        code=code_inputs("combine_validated_tables"),
    output:
        **{table: f"{OUT}/validated/{table}.parquet" for table in TABLES},
    params:
        folders=SHARD_FOLDERS,
    log:
        f"{OUT}/logs/combine_validated_tables.log",
    benchmark:
        f"{OUT}/logs/benchmarks/combine_validated_tables.tsv",
    script:
        RUN_STEP


rule derive_shard:
    input:
        [f"{SHARD_DIR}/validated/{table}.parquet" for table in TABLES],
        code=code_inputs("derive_shard"),
    output:
        [f"{SHARD_DIR}/{name}.parquet" for name in SHARD_DATASETS],
    params:
        folder=lambda wildcards: f"{SHARD_ROOT}/shard-{wildcards.shard}",
        config=config_without("analysis", "report", "validation", "demo"),
    log:
        f"{OUT}/logs/derive_shard-{{shard}}.log",
    benchmark:
        f"{OUT}/logs/benchmarks/derive_shard-{{shard}}.tsv",
    threads: 2
    script:
        RUN_STEP


rule combine_shard_datasets:
    input:
        [f"{folder}/{name}.parquet" for folder in SHARD_FOLDERS for name in SHARD_DATASETS],
        code=code_inputs("combine_shard_datasets"),
        subjects=f"{OUT}/validated/subjects.parquet",  # the export's order of subjects
    output:
        [f"{OUT}/{name}.parquet" for name in SHARD_DATASETS],
    params:
        folders=SHARD_FOLDERS,
        out=OUT,
    log:
        f"{OUT}/logs/combine_shard_datasets.log",
    benchmark:
        f"{OUT}/logs/benchmarks/combine_shard_datasets.tsv",
    script:
        RUN_STEP
