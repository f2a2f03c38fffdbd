"""The model tables of a 2,000-subject simulated trial equal those of the row-by-row fits.

``data/fits2k/*.csv`` were written by the analysis code before the fits were made linear in the
rows (statsmodels ``MixedLM`` and ``GEE`` looping over subjects, logistic and Firth fits on
every row), from the export ``simulate_export(subjects=2000, seed=11)`` cut at the configured
data cut. The current code must give the same tables: same rows and text, numbers within 1e-6
relative (they are written with 6 decimals). The old mixed-model notes also carry the
optimizer's warnings (BFGS failed, retried with Powell), which the REML root search no longer
raises: each current note must be the start of the old one.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes.configuration import load_config
from outcomes.simulate import simulate_export

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path(__file__).parent / "data" / "fits2k"

pytestmark = pytest.mark.slow


def _driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_driver", ROOT / "benchmarks" / "driver.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tables of the response and disease-activity rules on the simulated trial."""
    root = tmp_path_factory.mktemp("fits2k")
    simulate_export(subjects=2000, seed=11, out=root / "export")
    driver, cfg = _driver(), load_config()
    for stage in ("validate", "tables", "medications", "visits", "endpoints"):
        driver.run_stage(stage, cfg=cfg, export=root / "export", run=root / "run")
    from outcomes.steps import StepIO, load_step

    table = driver.step_table(cfg)
    for rule in ("analyze_response", "analyze_disease_activity"):
        inputs, outputs, params = table[rule]
        run = root / "run"
        fill = {k: driver._fill(v, export=root / "export", run=run) for k, v in inputs.items()}
        outs = {k: driver._fill(v, export=root / "export", run=run) for k, v in outputs.items()}
        (run / "tables").mkdir(exist_ok=True)
        load_step(rule)(StepIO(fill, outs, params, str(run / f"{rule}.log")))
    return root / "run" / "tables"


@pytest.mark.parametrize("name", ["response_gee", "response_logistic", "activity_mixed"])
def test_model_table_equals_the_row_by_row_fits(tables: Path, name: str):
    new = pl.read_csv(tables / f"{name}.csv", infer_schema_length=None)
    old = pl.read_csv(REFERENCE / f"{name}.csv", infer_schema_length=None)
    assert new.columns == old.columns and new.height == old.height
    notes = list(zip(new["note"].fill_null(""), old["note"].fill_null(""), strict=True))
    if name == "activity_mixed":
        assert all(o.startswith(n) and "tau^2" in n for n, o in notes)
    else:
        assert all(n == o for n, o in notes)
    assert_frame_equal(new.drop("note"), old.drop("note"), rel_tol=1e-6, abs_tol=1e-9)
