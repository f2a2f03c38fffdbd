# Subject-level endpoints: adrs (responder parameters per visit), adepi (episodes), adtte (time to
# first achievement, durations), adae + adsafe (CAR-T safety); endpoints.md §4.3, §6.3, §7.3, §9, §16.


rule create_adrs:
    input:
        code=code_inputs("endpoints", "steps/endpoints.py"),
        advisit=f"{OUT}/adam/advisit.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
        events=f"{OUT}/derived/events.parquet",
        subjects=f"{OUT}/validated/subjects.parquet",
    output:
        adrs=f"{OUT}/adam/adrs.parquet",
    params:
        endpoints=CFG["endpoints"],
        visits=CFG["visits"],
    log:
        f"{OUT}/logs/create_adrs.log",
    script:
        RUN_STEP


rule create_adepi:
    input:
        code=code_inputs("endpoints", "steps/endpoints.py"),
        advisit=f"{OUT}/adam/advisit.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
        events=f"{OUT}/derived/events.parquet",
        subjects=f"{OUT}/validated/subjects.parquet",
    output:
        adepi=f"{OUT}/adam/adepi.parquet",
    log:
        f"{OUT}/logs/create_adepi.log",
    script:
        RUN_STEP


rule create_adtte:
    input:
        code=code_inputs("endpoints", "steps/endpoints.py"),
        advisit=f"{OUT}/adam/advisit.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
        events=f"{OUT}/derived/events.parquet",
        subjects=f"{OUT}/validated/subjects.parquet",
    output:
        adtte=f"{OUT}/adam/adtte.parquet",
    params:
        endpoints=CFG["endpoints"],
    log:
        f"{OUT}/logs/create_adtte.log",
    script:
        RUN_STEP


rule create_adae:
    input:
        code=code_inputs("endpoints", "steps/endpoints.py"),
        adverse_events=f"{OUT}/validated/adverse_events.parquet",
        labs=f"{OUT}/validated/labs.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
        subjects=f"{OUT}/validated/subjects.parquet",
    output:
        adae=f"{OUT}/adam/adae.parquet",
        adsafe=f"{OUT}/adam/adsafe.parquet",
    params:
        safety=CFG["safety"],
    log:
        f"{OUT}/logs/create_adae.log",
    script:
        RUN_STEP
