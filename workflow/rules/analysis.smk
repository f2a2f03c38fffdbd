# Analyses: adam/*.parquet -> tables/*.csv (survival, response, disease activity, safety, OBD).
# Methods and thresholds come from config `analysis`; each table carries its method text. Each rule
# gets only its own block of `analysis` (and conf_level), so a changed key re-runs only its rule.


rule analyze_survival:
    input:
        code=code_inputs("analyze_survival"),
        adtte=f"{OUT}/adam/adtte.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
    output:
        km=f"{OUT}/tables/survival_km.csv",
        quantiles=f"{OUT}/tables/survival_quantiles.csv",
        landmarks=f"{OUT}/tables/survival_landmarks.csv",
        tests=f"{OUT}/tables/survival_tests.csv",
        cox=f"{OUT}/tables/survival_cox.csv",
        cif=f"{OUT}/tables/survival_cif.csv",
    params:
        analysis=analysis_block("survival"),
    priority: 2  # the report waits for every analysis table
    log:
        f"{OUT}/logs/analyze_survival.log",
    benchmark:
        f"{OUT}/logs/benchmarks/analyze_survival.tsv",
    script:
        RUN_STEP


rule analyze_response:
    input:
        code=code_inputs("analyze_response"),
        adrs=f"{OUT}/adam/adrs.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
        adepi=f"{OUT}/adam/adepi.parquet",
    output:
        rates=f"{OUT}/tables/response_rates.csv",
        trend=f"{OUT}/tables/response_trend.csv",
        logistic=f"{OUT}/tables/response_logistic.csv",
        gee=f"{OUT}/tables/response_gee.csv",
    params:
        analysis=analysis_block("response"),
    priority: 2  # the report waits for every analysis table
    log:
        f"{OUT}/logs/analyze_response.log",
    benchmark:
        f"{OUT}/logs/benchmarks/analyze_response.tsv",
    script:
        RUN_STEP


rule analyze_disease_activity:
    input:
        code=code_inputs("analyze_disease_activity"),
        advisit=f"{OUT}/adam/advisit.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
    output:
        summary=f"{OUT}/tables/activity_summary.csv",
        mixed=f"{OUT}/tables/activity_mixed.csv",
    params:
        analysis=analysis_block("activity"),
    priority: 2  # the report waits for every analysis table
    log:
        f"{OUT}/logs/analyze_disease_activity.log",
    benchmark:
        f"{OUT}/logs/benchmarks/analyze_disease_activity.tsv",
    script:
        RUN_STEP


rule analyze_safety:
    input:
        code=code_inputs("analyze_safety"),
        adae=f"{OUT}/adam/adae.parquet",
        adsafe=f"{OUT}/adam/adsafe.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
    output:
        events=f"{OUT}/tables/safety_events.csv",
        crs_icans=f"{OUT}/tables/safety_crs_icans.csv",
        icaht=f"{OUT}/tables/safety_icaht.csv",
    params:
        analysis=analysis_block("safety"),
        dose_levels=CFG["study"]["dose_levels"],
    priority: 2  # the report waits for every analysis table
    log:
        f"{OUT}/logs/analyze_safety.log",
    benchmark:
        f"{OUT}/logs/benchmarks/analyze_safety.tsv",
    script:
        RUN_STEP


rule analyze_obd:
    input:
        code=code_inputs("analyze_obd"),
        adae=f"{OUT}/adam/adae.parquet",
        adrs=f"{OUT}/adam/adrs.parquet",
        adsl=f"{OUT}/adam/adsl.parquet",
    output:
        obd=f"{OUT}/tables/obd.csv",
    params:
        analysis=analysis_block("obd"),
        dose_levels=CFG["study"]["dose_levels"],
    priority: 2  # the report waits for every analysis table
    log:
        f"{OUT}/logs/analyze_obd.log",
    benchmark:
        f"{OUT}/logs/benchmarks/analyze_obd.tsv",
    script:
        RUN_STEP
