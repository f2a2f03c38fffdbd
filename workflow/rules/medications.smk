# Medications: ADCM (class, active window, daily doses) and medication events (rescue, flare
# treatment, re-treatment); endpoints.md §8.


rule create_adcm:
    input:
        code=code_inputs("create_adcm"),
        medications=f"{OUT}/validated/medications.parquet",
        subjects=f"{OUT}/validated/subjects.parquet",
    output:
        adcm=f"{OUT}/derived/adcm.parquet",
    params:
        medications=CFG["medications"],
        data_cut=CFG["data"]["data_cut"],
    log:
        f"{OUT}/logs/create_adcm.log",
    benchmark:
        f"{OUT}/logs/benchmarks/create_adcm.tsv",
    script:
        RUN_STEP


rule create_events:
    input:
        code=code_inputs("create_events"),
        adcm=f"{OUT}/derived/adcm.parquet",
        subjects=f"{OUT}/validated/subjects.parquet",
        assessments=f"{OUT}/validated/assessments.parquet",
    output:
        events=f"{OUT}/derived/events.parquet",
    params:
        medications=CFG["medications"],
    log:
        f"{OUT}/logs/create_events.log",
    benchmark:
        f"{OUT}/logs/benchmarks/create_events.tsv",
    script:
        RUN_STEP
