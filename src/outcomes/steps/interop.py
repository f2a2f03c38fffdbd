"""Steps of the interoperability rules: import_sdtm (an SDTM data cut → the export tables) and
write_adam_transport (every ADaM dataset as SAS XPT v5 and Dataset-JSON v1.1, with define.json).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandera.polars as pa
import polars as pl

from outcomes import contract as c
from outcomes.config import REPO_ROOT
from outcomes.errors import InputDataError
from outcomes.interop.adam_out import write_adam_transport as write_transport
from outcomes.interop.mapping import load_sdtm_mapping
from outcomes.interop.problems import summarize_problems
from outcomes.interop.sdtm_import import PROBLEMS_FILE, create_export_from_sdtm, write_import
from outcomes.io import atomic
from outcomes.schemas.adam import ADSL, advisit_schema
from outcomes.schemas.endpoints import ADAE, ADEPI, ADRS, ADSAFE, ADTTE
from outcomes.schemas.export import EXPORT_COLUMNS
from outcomes.steps import StepIO, step

log = logging.getLogger("outcomes.steps.interop")


def mapping_path(configured: str) -> Path:
    """The SDTM mapping file of ``data.sdtm_mapping``: relative paths start at the repository."""
    path = Path(configured)
    return path if path.is_absolute() else REPO_ROOT / path


@step
def import_sdtm(io: StepIO) -> None:
    """imported-export/<table>.csv from the SDTM folder; stops when the import met an ERROR.

    A table the SDTM data cannot give (no LB domain) is written with its header only, so the
    validation and every later rule see the same five tables as for an export.
    """
    sdtm_dir = Path(io.params["sdtm"])
    mapping = load_sdtm_mapping(Path(io.inputs["mapping"]))
    result = create_export_from_sdtm(sdtm_dir, mapping=mapping)
    out = Path(io.outputs["problems"]).parent
    write_import(result, out)
    for table in c.TABLES:
        if table not in result.tables:
            header = {s.name: pl.String for s in EXPORT_COLUMNS[table]}
            atomic.write_csv(pl.DataFrame(schema=header), out / f"{table}.csv")
            log.info("%s: no SDTM domain gives this table; written empty", table)
    log.info("%s", result.summary())
    if result.errors:
        raise InputDataError(
            f"The SDTM data cut in {sdtm_dir} could not be mapped: {result.errors} ERROR "
            f"problem(s), listed in this rule's log and {out / PROBLEMS_FILE}:\n"
            f"{summarize_problems(result.problems)}"
        )


def transport_schemas(*, k_values: tuple[int, ...]) -> dict[str, pa.DataFrameSchema]:
    """Pandera schema of each ADaM dataset, the source of its transport metadata."""
    return {
        "adsl": ADSL,
        "advisit": advisit_schema(k_values),
        "adrs": ADRS,
        "adepi": ADEPI,
        "adtte": ADTTE,
        "adae": ADAE,
        "adsafe": ADSAFE,
    }


@step
def write_adam_transport(io: StepIO) -> None:
    """transport/<dataset>.xpt and .json for every ADaM dataset, and transport/define.json.

    The data cut is the creation datetime of every file, so reruns are byte-identical. Columns
    whose names break the XPT v5 rule take the SDTM mapping's test code (``activity.tests``).
    """
    mapping = load_sdtm_mapping(Path(io.inputs["mapping"]))
    renames = {column: code for code, column in mapping.activity.tests.items()}
    names = [Path(str(p)).stem for p in io.inputs["adam"]]
    files = write_transport(
        Path(str(io.inputs["adam"][0])).parent,
        Path(io.outputs["define"]).parent,
        created=dt.date.fromisoformat(io.params["data_cut"]),
        study_oid=str(io.params["studyid"]),
        schemas=transport_schemas(k_values=tuple(io.params["k_values"])),
        names=names,
        renames=renames,
    )
    log.info("transport: %d datasets as XPT v5 and Dataset-JSON v1.1; %s", len(names), files.define)
