# Interoperability: an SDTM data cut (data.format: sdtm) becomes the export tables in
# {OUT}/imported-export (import_sdtm), and every ADaM dataset is also written as SAS XPT v5 and
# Dataset-JSON v1.1 with define.json (write_adam_transport). Include after common.smk.

from outcomes.interop.sdtm_read import SDTM_SUFFIXES
from outcomes.steps.interop import mapping_path

SDTM_MAPPING = str(mapping_path(CFG["data"]["sdtm_mapping"]))


def sdtm_files():
    """The SDTM domain files of data.export (read only when data.format is sdtm)."""
    folder = CFG["data"]["export"]
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    return [os.path.join(folder, n) for n in names if n.lower().endswith(SDTM_SUFFIXES)] or [folder]


rule import_sdtm:
    input:
        code=code_inputs("import_sdtm"),
        sdtm=sdtm_files(),
        mapping=SDTM_MAPPING,
    output:
        **{table: f"{OUT}/imported-export/{table}.csv" for table in TABLES},
        problems=f"{OUT}/imported-export/import_problems.csv",
        summary=f"{OUT}/imported-export/import_summary.json",
    params:
        sdtm=CFG["data"]["export"],
    log:
        f"{OUT}/logs/import_sdtm.log",
    benchmark:
        f"{OUT}/logs/benchmarks/import_sdtm.tsv",
    script:
        RUN_STEP


rule write_adam_transport:
    input:
        code=code_inputs("write_adam_transport"),
        adam=[f"{OUT}/adam/{name}.parquet" for name in ADAM],
        mapping=SDTM_MAPPING,
    output:
        xpt=[f"{OUT}/transport/{name}.xpt" for name in ADAM],
        json=[f"{OUT}/transport/{name}.json" for name in ADAM],
        define=f"{OUT}/transport/define.json",
    params:
        data_cut=CFG["data"]["data_cut"],
        studyid=CFG["study"]["studyid"],
        k_values=CFG["criteria"]["sri"]["k_values"],
    # the longest job once the datasets exist: started first, beside the analyses and the
    # report (priority 2); the TFLs (priority 0) fill in after
    priority: 3
    log:
        f"{OUT}/logs/write_adam_transport.log",
    benchmark:
        f"{OUT}/logs/benchmarks/write_adam_transport.tsv",
    script:
        RUN_STEP
