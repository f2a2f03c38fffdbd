"""The derivation rules of the workflow, called as step functions (no Snakemake run).

Ingest (typed, cut-filtered tables), medications, per-visit states, ADSL and the endpoint
datasets, in workflow order, with the default configuration; used to compare exports.
"""

from __future__ import annotations

from pathlib import Path

from outcomes.config import DEFAULT_CONFIG, load_config
from outcomes.contract import TABLES
from outcomes.steps import StepIO, load_steps


def _run(step: str, *, run: Path, inputs: dict, outputs: dict, params: dict) -> None:
    where = {k: str(run / v) for k, v in inputs.items()}
    made = {k: str(run / v) for k, v in outputs.items()}
    for path in made.values():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    load_steps()[step](StepIO(where, made, params, str(run / "logs" / f"{step}.log")))


def run_derivations(export: Path, run: Path, *, cut: str) -> None:
    """The rules of ingest, medications, derive and endpoints, in workflow order."""
    cfg = load_config(DEFAULT_CONFIG)
    (run / "validation").mkdir(parents=True)
    (run / "logs").mkdir()
    (run / "validation/issues.csv").write_text("SEVERITY\n", encoding="utf-8")
    v = {t: f"validated/{t}.parquet" for t in TABLES}
    _run(
        "create_validated_tables",
        run=run,
        inputs={"issues": "validation/issues.csv"},
        outputs=v,
        params={"export": str(export), "data_cut": cut},
    )
    med, sub = {"medications": cfg["medications"]}, v["subjects"]
    _run(
        "create_adcm",
        run=run,
        inputs={"medications": v["medications"], "subjects": sub},
        outputs={"adcm": "derived/adcm.parquet"},
        params={**med, "data_cut": cut},
    )
    _run(
        "create_events",
        run=run,
        inputs={"adcm": "derived/adcm.parquet", "subjects": sub, "assessments": v["assessments"]},
        outputs={"events": "derived/events.parquet"},
        params=med,
    )
    _run(
        "create_advisit",
        run=run,
        inputs={"assessments": v["assessments"], "subjects": sub, "adcm": "derived/adcm.parquet"},
        outputs={"advisit": "adam/advisit.parquet"},
        params={k: cfg[k] for k in ("visits", "scores", "criteria", "medications")},
    )
    _run(
        "create_adsl",
        run=run,
        inputs={
            "subjects": sub,
            "assessments": v["assessments"],
            "labs": v["labs"],
            "adcm": "derived/adcm.parquet",
            "advisit": "adam/advisit.parquet",
        },
        outputs={"adsl": "adam/adsl.parquet"},
        params={
            **{k: cfg[k] for k in ("visits", "eligibility", "medications")},
            "dose_levels": cfg["study"]["dose_levels"],
            "data_cut": cut,
        },
    )
    ends = {
        "advisit": "adam/advisit.parquet",
        "adsl": "adam/adsl.parquet",
        "events": "derived/events.parquet",
        "subjects": sub,
    }
    _run(
        "create_efficacy",
        run=run,
        inputs=ends,
        outputs={n: f"adam/{n}.parquet" for n in ("adrs", "adepi", "adtte")},
        params={"endpoints": cfg["endpoints"], "visits": cfg["visits"]},
    )
    _run(
        "create_adae",
        run=run,
        inputs={
            "adverse_events": v["adverse_events"],
            "labs": v["labs"],
            "adsl": "adam/adsl.parquet",
            "subjects": sub,
        },
        outputs={"adae": "adam/adae.parquet", "adsafe": "adam/adsafe.parquet"},
        params={"safety": cfg["safety"]},
    )
