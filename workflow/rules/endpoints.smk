# Subject-level endpoints: adrs (responder parameters per visit), adepi (episodes) and adtte (time
# to first achievement, durations) in one rule sharing the state stream; adae + adsafe (CAR-T
# safety); endpoints.md §4.3, §6.3, §7.3, §9, §16.


rule create_efficacy:
    input:
        code=code_inputs("create_efficacy"),
        advisit=f"{OUT}/adam/advisit.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
        events=f"{OUT}/derived/events.parquet",
    output:
        adrs=f"{OUT}/adam/adrs.parquet",
        adepi=f"{OUT}/adam/adepi.parquet",
        adtte=f"{OUT}/adam/adtte.parquet",
    params:
        endpoints=CFG["endpoints"],
        visits=CFG["visits"],
    log:
        f"{OUT}/logs/create_efficacy.log",
    benchmark:
        f"{OUT}/logs/benchmarks/create_efficacy.tsv",
    script:
        RUN_STEP


rule create_adae:
    input:
        code=code_inputs("create_adae"),
        adverse_events=f"{OUT}/validated/adverse_events.parquet",
        labs=f"{OUT}/validated/labs.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
    output:
        adae=f"{OUT}/adam/adae.parquet",
        adsafe=f"{OUT}/adam/adsafe.parquet",
    params:
        safety=CFG["safety"],
    log:
        f"{OUT}/logs/create_adae.log",
    benchmark:
        f"{OUT}/logs/benchmarks/create_adae.tsv",
    script:
        RUN_STEP
