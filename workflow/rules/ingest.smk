# Ingest: the demo export (when configured), validation report, typed validated tables. The
# export is read and typed once, by validate_export (temporary typed_<table> files).


rule simulate_demo:
    input:
        code=code_inputs("simulate_demo"),
    output:
        **{table: f"{CFG['demo']['folder']}/{table}.csv" for table in TABLES},
    params:
        demo=CFG["demo"],
        dose_levels=CFG["study"]["dose_levels"],
    log:
        f"{CFG['demo']['folder']}/logs/simulate_demo.log",
    benchmark:
        f"{CFG['demo']['folder']}/logs/benchmarks/simulate_demo.tsv",
    script:
        RUN_STEP


rule validate_export:
    input:
        export_files(),
        list_previous_inputs(CFG["validation"]["previous"]),
        code=code_inputs("validate_export"),
    output:
        issues=f"{OUT}/validation/issues.csv",
        excluded=f"{OUT}/validation/excluded.csv",
        summary=f"{OUT}/validation/summary.json",
        report=f"{OUT}/validation/report.html",
        resolved=f"{OUT}/validation/resolved.csv",
        workbook=f"{OUT}/validation/issues.xlsx",
        sites=directory(f"{OUT}/validation/sites"),
        **{f"typed_{table}": temp(f"{OUT}/.typed/{table}.parquet") for table in TABLES},
    params:
        export=EXPORT,
        config=config_without("analysis", "report"),
    log:
        f"{OUT}/logs/validate_export.log",
    benchmark:
        f"{OUT}/logs/benchmarks/validate_export.tsv",
    script:
        RUN_STEP


rule create_validated_tables:
    input:
        export_files(),
        code=code_inputs("create_validated_tables"),
        issues=f"{OUT}/validation/issues.csv",
        excluded=f"{OUT}/validation/excluded.csv",
        **{f"typed_{table}": f"{OUT}/.typed/{table}.parquet" for table in TABLES},
    output:
        **{table: f"{OUT}/validated/{table}.parquet" for table in TABLES},
    params:
        export=EXPORT,
        data_cut=CFG["data"]["data_cut"],
        on_error=CFG["validation"]["on_error"],
    log:
        f"{OUT}/logs/create_validated_tables.log",
    benchmark:
        f"{OUT}/logs/benchmarks/create_validated_tables.tsv",
    script:
        RUN_STEP
