"""Benchmark the whole workflow: ``outcomes run`` end to end, with every rule's time and memory.

``python benchmarks/workflow.py [--sizes 1000 10000] [--cores 2] [--data-cut 2027-01-31]``

For each size the simulated export of ``benchmarks/run.py`` (seed 20260701, cached under
``benchmarks/out/export-<n>/``) is run cold by ``outcomes run`` into
``benchmarks/out/workflow-<n>/`` (removed first). Each Snakemake rule records its own wall time
and peak RSS (its ``benchmark:`` file, ``logs/benchmarks/<rule>.tsv``; when the step ran in the
step server, the server's record of its child, ``logs/<rule>.step.json``, since the benchmark
file then measures only the rule's waiting process); the table lists them
in the order the rules started, with the wall time and peak RSS of the whole command
(``os.wait4`` rusage: the largest process of the run) and the floor measured in the same run: a
process that only reads the export's CSV files with polars. Prints a markdown table and writes
it, with the machine and its load, to ``benchmarks/out/workflow-results.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import OUT, ensure_export, measure  # noqa: E402

#: The floor: read every CSV table of the export (argv[1]) with polars, nothing else.
FLOOR = (
    "import sys, pathlib, polars as pl; "
    "[pl.read_csv(p, infer_schema=False) for p in sorted(pathlib.Path(sys.argv[1]).glob('*.csv'))]"
)


def read_rule_benchmarks(run: Path) -> list[tuple[str, float, float]]:
    """``(rule, seconds, max RSS MiB)`` of every ``logs/benchmarks/*.tsv`` of a run, in the
    order the rules finished (file modification time); the step server's record of the rule's
    step (``logs/<rule>.step.json``) where there is one."""
    rows = []
    files = sorted((run / "logs" / "benchmarks").glob("*.tsv"), key=lambda p: p.stat().st_mtime)
    for path in files:
        served = run / "logs" / f"{path.stem}.step.json"
        if served.is_file():
            step = json.loads(served.read_text(encoding="utf-8"))
            rows.append((path.stem, float(step["s"]), float(step["max_rss_mib"])))
            continue
        with path.open(encoding="utf-8") as handle:
            record = next(csv.DictReader(handle, delimiter="\t"))
        rss = float(record["max_rss"]) if record["max_rss"] not in ("", "NA", "-") else 0.0
        rows.append((path.stem, float(record["s"]), rss))
    return rows


def bench_workflow(n: int, *, cores: int, data_cut: str) -> list[str]:
    """Markdown lines of one size: the floor, the whole run and each rule."""
    export = ensure_export(n)
    run = OUT / f"workflow-{n}"
    shutil.rmtree(run, ignore_errors=True)
    floor = measure([sys.executable, "-c", FLOOR, str(export)])
    command = [sys.executable, "-m", "outcomes.cli", "run", "--export", str(export)]
    whole = measure([*command, "--data-cut", data_cut, "--out", str(run), "--cores", str(cores)])
    print(f"{n}: run {whole} floor {floor}", file=sys.stderr, flush=True)
    lines = [
        f"### {n:,} subjects",
        "",
        "| rule | wall s | peak RSS MiB | x floor |",
        "|---|---:|---:|---:|",
    ]
    for rule, seconds, rss in read_rule_benchmarks(run):
        lines.append(f"| {rule} | {seconds:.1f} | {rss:.0f} | {seconds / floor.seconds:.1f} |")
    status = "" if whole.ok else f" (failed: {whole.error})"
    lines += [
        f"| **outcomes run, end to end** ({cores} cores){status} | **{whole.seconds:.1f}** | "
        f"{whole.rss_mib:.0f} | {whole.seconds / floor.seconds:.1f} |",
        f"| floor: read the export CSVs | {floor.seconds:.2f} | {floor.rss_mib:.0f} | 1.0 |",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--data-cut", default="2027-01-31")
    args = parser.parse_args()
    load = os.getloadavg()
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average at start {load[0]:.1f}",
        "",
    ]
    for n in args.sizes:
        lines += bench_workflow(n, cores=args.cores, data_cut=args.data_cut)
    lines.append(f"Load average at end {os.getloadavg()[0]:.1f}")
    text = "\n".join(lines) + "\n"
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "workflow-results.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
