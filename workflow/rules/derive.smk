# Per-visit states and the subject-level dataset: adam/advisit (scores, medications on each
# assessment date, DORIS, drug-free DORIS, LLDAS, SRI, flares) and adam/adsl; endpoints.md §1-§7, §11.


rule create_advisit:
    input:
        code=code_inputs("create_advisit"),
        assessments=f"{OUT}/validated/assessments.parquet",
        subjects=f"{OUT}/validated/subjects.parquet",
        adcm=f"{OUT}/derived/adcm.parquet",
    output:
        advisit=f"{OUT}/adam/advisit.parquet",
    params:
        visits=CFG["visits"],
        scores=CFG["scores"],
        criteria=CFG["criteria"],
        medications=CFG["medications"],
    log:
        f"{OUT}/logs/create_advisit.log",
    benchmark:
        f"{OUT}/logs/benchmarks/create_advisit.tsv",
    script:
        RUN_STEP


rule create_adsl:
    input:
        code=code_inputs("create_adsl"),
        subjects=f"{OUT}/validated/subjects.parquet",
        assessments=f"{OUT}/validated/assessments.parquet",
        labs=f"{OUT}/validated/labs.parquet",
        adcm=f"{OUT}/derived/adcm.parquet",
        advisit=f"{OUT}/adam/advisit.parquet",
    output:
        adsl=f"{OUT}/adam/adsl.parquet",
    params:
        visits=CFG["visits"],
        eligibility=CFG["eligibility"],
        medications=CFG["medications"],
        dose_levels=CFG["study"]["dose_levels"],
        data_cut=CFG["data"]["data_cut"],
    log:
        f"{OUT}/logs/create_adsl.log",
    benchmark:
        f"{OUT}/logs/benchmarks/create_adsl.tsv",
    script:
        RUN_STEP
