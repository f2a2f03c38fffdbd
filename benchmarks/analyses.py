"""Time each analysis rule in this process and compare its tables with a reference run.

``python benchmarks/analyses.py --run DIR [--tables DIR] [--reference DIR] [--profile RULE]``

``--run`` holds ``adam/*.parquet`` (e.g. from ``benchmarks/driver.py endpoints``). Each
``analyze_*`` step is called with the inputs, outputs and params of its Snakemake rule (as in
``benchmarks/driver.py``); the tables go to ``--tables`` (default ``RUN/tables``). With
``--reference`` every table is compared with the same-named CSV of an earlier run (e.g. one made
by the code before an optimisation): equal text, or numbers within 1e-6 relative, is reported
per file. ``--profile RULE`` prints the cProfile of that rule's step. CPU seconds (all threads
of the process) are printed beside wall seconds: on a shared machine they vary less.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

from driver import STAGES, _fill, step_table

from outcomes.config import DEFAULT_CONFIG, read_config_file


def run_rules(
    run: Path, tables: Path, *, profile: str | None = None
) -> dict[str, tuple[float, float]]:
    """Call every analysis rule's step once; wall and CPU seconds (all threads) per rule."""
    from outcomes.steps import StepIO, load_step

    cfg = read_config_file(DEFAULT_CONFIG)
    table = step_table(cfg)
    times = {}
    for rule in STAGES["analyses"]:
        step = load_step(rule)
        inputs, outputs, params = table[rule]
        ins = {k: _fill(v, export=run, run=run) for k, v in inputs.items()}
        outs = {k: str(tables / Path(v).name) for k, v in outputs.items()}
        tables.mkdir(parents=True, exist_ok=True)
        io = StepIO(ins, outs, params, str(tables / f"{rule}.log"))
        prof = cProfile.Profile() if rule == profile else None
        start, cpu = time.perf_counter(), time.process_time()
        if prof is not None:
            prof.enable()
        step(io)
        if prof is not None:
            prof.disable()
        times[rule] = (time.perf_counter() - start, time.process_time() - cpu)
        if prof is not None:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    return times


def compare_tables(tables: Path, reference: Path, *, rel: float = 1e-6) -> dict[str, str]:
    """Per reference CSV: ``identical``, ``equal within rel`` or what differs."""
    import polars as pl
    from polars.testing import assert_frame_equal

    result = {}
    for ref in sorted(reference.glob("*.csv")):
        new = tables / ref.name
        if not new.exists():
            result[ref.name] = "missing"
            continue
        if new.read_bytes() == ref.read_bytes():
            result[ref.name] = "identical"
            continue
        try:
            assert_frame_equal(
                pl.read_csv(new, infer_schema_length=None),
                pl.read_csv(ref, infer_schema_length=None),
                rel_tol=rel,
                abs_tol=1e-9,
            )
            result[ref.name] = f"equal within {rel:g} relative"
        except AssertionError as exc:
            result[ref.name] = f"DIFFERS: {str(exc).splitlines()[0]}"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--tables", type=Path, default=None)
    parser.add_argument("--reference", type=Path, default=None)
    parser.add_argument("--profile", default=None, help="print the cProfile of this rule")
    args = parser.parse_args(argv)
    tables = args.tables or args.run / "tables"
    times = run_rules(args.run, tables, profile=args.profile)
    print("| rule | wall (s) | CPU (s) |\n|---|---:|---:|")
    for rule, (wall, cpu) in times.items():
        print(f"| {rule} | {wall:.2f} | {cpu:.2f} |")
    wall, cpu = (sum(t[i] for t in times.values()) for i in (0, 1))
    print(f"| **analyses** | **{wall:.2f}** | **{cpu:.2f}** |")
    if args.reference:
        bad = 0
        for name, verdict in compare_tables(tables, args.reference).items():
            print(f"{name}: {verdict}")
            bad += verdict.startswith(("DIFFERS", "missing"))
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
