# Report: report.html, figures/ and the report's tables/report_*.csv (render_report), the TFLs
# (write_tfls: tfl/<section>/ and tfl/tfls.{rtf,docx}) and manifest.json (write_manifest).
# Include after every analysis rule: the analysis tables are the .csv outputs of the rules named
# analyze_* or summarize_*.

from outcomes.report.load import report_table_stems
from outcomes.report.tfl.settings import select_tfl_config

REPORT_TABLES = report_table_stems(activity_scores=CFG["report"]["activity_scores"])
ANALYSIS_TABLES = sorted(
    str(path)
    for r in workflow.rules
    if r.name.startswith(("analyze_", "summarize_"))
    for path in r.output
    if str(path).endswith(".csv")
)


rule render_report:
    input:
        code=code_inputs("render_report"),
        adsl=f"{OUT}/adam/adsl.parquet",
        advisit=f"{OUT}/adam/advisit.parquet",
        adrs=f"{OUT}/adam/adrs.parquet",
        adepi=f"{OUT}/adam/adepi.parquet",
        adtte=f"{OUT}/adam/adtte.parquet",
        adae=f"{OUT}/adam/adae.parquet",
        adsafe=f"{OUT}/adam/adsafe.parquet",
        events=f"{OUT}/derived/events.parquet",
        adcm=f"{OUT}/derived/adcm.parquet",
        summary=f"{OUT}/validation/summary.json",
        issues=f"{OUT}/validation/issues.csv",
        excluded=f"{OUT}/validation/excluded.csv",
        # the transport list is computed from the datasets (write_adam_transport runs beside)
        adam=[f"{OUT}/adam/{name}.parquet" for name in ADAM],
        export=export_files(),
        tables=ANALYSIS_TABLES,
    output:
        report=report(
            f"{OUT}/report.html", caption="../report/report_html.rst", category="Report"
        ),
        figures=report(
            directory(f"{OUT}/figures"),
            patterns=["{name}.png"],
            caption="../report/figures.rst",
            category="Figures",
        ),
        **{
            stem: report(
                f"{OUT}/tables/{stem}.csv",
                caption="../report/report_tables.rst",
                category="Tables",
                labels={"table": stem},
            )
            for stem in REPORT_TABLES
        },
    params:
        config=CFG,
    # the figures render in worker processes, one per thread given
    threads: 2
    priority: 2
    log:
        f"{OUT}/logs/render_report.log",
    benchmark:
        f"{OUT}/logs/benchmarks/render_report.tsv",
    script:
        RUN_STEP


TFL_SECTIONS = ["efficacy", "safety", "listings"]
TFL_INPUTS = {
    name: f"{OUT}/adam/{name}.parquet"
    for name in ("adsl", "advisit", "adrs", "adepi", "adtte", "adae", "adsafe")
}


rule write_tfls:
    input:
        code=code_inputs("write_tfls"),
        events=f"{OUT}/derived/events.parquet",
        adcm=f"{OUT}/derived/adcm.parquet",
        issues=f"{OUT}/validation/issues.csv",
        **TFL_INPUTS,
    output:
        **{section: directory(f"{OUT}/tfl/{section}") for section in TFL_SECTIONS},
        rtf=f"{OUT}/tfl/tfls.rtf",
        docx=f"{OUT}/tfl/tfls.docx",
    params:
        config=select_tfl_config(CFG),
    log:
        f"{OUT}/logs/write_tfls.log",
    benchmark:
        f"{OUT}/logs/benchmarks/write_tfls.tsv",
    script:
        RUN_STEP


rule write_manifest:
    input:
        code=code_inputs("write_manifest"),
        export=export_files(),
        report=f"{OUT}/report.html",
    output:
        manifest=f"{OUT}/manifest.json",
    params:
        config=CFG,
    log:
        f"{OUT}/logs/write_manifest.log",
    benchmark:
        f"{OUT}/logs/benchmarks/write_manifest.tsv",
    script:
        RUN_STEP
