"""Benchmark the pipeline's stages at 1k, 10k, 100k (and 1M) subjects.

``python benchmarks/run.py [--sizes 1000 10000 100000] [--million] [--repeat 3] [--isolated]``

For each size the simulated export (``outcomes.simulate.simulate_export``, seed 20260701) is
cached under ``benchmarks/out/export-<n>/``. Each stage runs ``--repeat`` times
(``benchmarks/driver.py``: read -> stage -> write parquet) as the workflow runs its rules: in a
child forked after the step modules are imported (the step server, ``outcomes.steps.server``);
the minimum wall time and the peak RSS of that child (``os.wait4`` rusage) are kept. With
``--isolated`` each stage is a process of its own that imports what it runs (``outcomes run
--no-step-server``). Beside each stage its floor, measured in the same run: a process that reads
the same input files and makes one group-by pass over each. ``import`` is a process that only
imports one rule's step module (paid once per run by the step server, by every isolated stage).
Prints a markdown table and writes it, with the machine, to ``benchmarks/out/results.md``.

``--r`` adds, on the same export and in the same run, the R data.table program of the same
per-visit rules (``benchmarks/r/per_visit.R``, run by ``Rscript``) and two floors that read only
the CSVs it reads (subjects, assessments, medications): polars ``read_csv`` and data.table
``fread``; a second table sets them beside the project's ``tables`` + ``medications`` +
``visits`` stages, each as a ratio to the polars floor.

``--million`` adds 1,000,000 subjects processed as ``--shards`` shard exports (split by subject,
each stage of each shard its own process, run once), since one process cannot validate a 1M
export in 24 GB; the stages are summed over the shards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DRIVER = HERE / "driver.py"
SEED = 20260701
STAGES = ("validate", "tables", "medications", "visits", "endpoints", "analyses")
#: The R data.table program of the per-visit rules and the export tables it reads.
R_PROGRAM = HERE / "r" / "per_visit.R"
R_TABLES = ("subjects", "assessments", "medications")
#: Project stages that derive what the R program derives (from the export CSVs to advisit).
R_COUNTERPART = ("tables", "medications", "visits")
#: Floors of the R comparison: read the CSVs (argv[1:]) and nothing else.
POLARS_READ = "import sys, polars as pl; [pl.read_csv(p, infer_schema=False) for p in sys.argv[1:]]"
R_READ = (
    "suppressPackageStartupMessages(library(data.table)); "
    "invisible(lapply(commandArgs(TRUE), fread))"
)
#: What a stage process pays before reading anything: importing one rule's step module.
IMPORT_ONLY = "from outcomes.steps import load_step; load_step('create_efficacy')"


@dataclass(frozen=True)
class Measure:
    """Minimum wall time (s) and the peak RSS (MiB) over the repeats; ok = every run exited 0."""

    seconds: float
    rss_mib: float
    ok: bool
    error: str = ""


def measure(cmd: list[str], *, repeat: int = 1) -> Measure:
    """Run ``cmd`` ``repeat`` times as a child process; minimum wall time, maximum peak RSS."""
    times, rss, error = [], [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        # stderr to a file, not a pipe: a chatty child (Snakemake) would block on a full pipe.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors, text=True)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
            errors.seek(0)
            stderr = errors.read()
        if os.waitstatus_to_exitcode(status) != 0:
            error = stderr.strip().splitlines()[-1] if stderr.strip() else f"status {status}"
            return Measure(elapsed, usage.ru_maxrss / 1024, ok=False, error=error)
        times.append(elapsed)
        rss.append(usage.ru_maxrss / 1024)
    return Measure(min(times), max(rss), ok=True)


def measure_forked(cmd: list[str], *, repeat: int = 1) -> Measure:
    """Run the driver command ``cmd`` with ``--forked``: the stage's own time and peak RSS, in a
    child forked after the imports, as the workflow's step server runs a rule."""
    times, rss = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            result = Path(tmp) / "stage.json"
            whole = measure([*cmd, "--forked", str(result)])
            if not whole.ok or not result.is_file():
                return whole
            record = json.loads(result.read_text(encoding="utf-8"))
        times.append(record["seconds"])
        rss.append(record["rss_mib"])
    return Measure(min(times), max(rss), ok=True)


def ensure_export(n: int) -> Path:
    """The cached export of ``n`` subjects (simulated on first use)."""
    folder = OUT / f"export-{n}"
    if not (folder / "subjects.csv").is_file():
        # In a child process: this process stays small, since a child's peak RSS counts the
        # memory it shares with its parent when it starts.
        code = (
            "from pathlib import Path; from outcomes.simulate import simulate_export; "
            f"simulate_export(subjects={n}, seed={SEED}, out=Path({str(folder)!r}))"
        )
        m = measure([sys.executable, "-c", code])
        if not m.ok:
            raise SystemExit(f"simulating {n} subjects failed: {m.error}")
        print(f"simulated {n} subjects in {m.seconds:.1f} s ({m.rss_mib:.0f} MiB)", file=sys.stderr)
    return folder


def bench_size(
    n: int,
    *,
    repeat: int,
    data_cut: str | None,
    analyses_max: int,
    only: list[str],
    isolated: bool = False,
) -> list[tuple]:
    """Rows (subjects, stage, stage measure, floor measure) for one export size.

    A stage is measured as the workflow runs its rules: forked after the imports
    (:func:`measure_forked`, the step server), or with ``isolated`` as a process of its own that
    imports what it runs (``outcomes run --no-step-server``). The ``import`` row is what the
    server pays once per run and an isolated rule pays each time."""
    export = ensure_export(n)
    run = OUT / f"run-{n}"
    extra = ["--data-cut", data_cut] if data_cut else []
    rows = [(n, "import", measure([sys.executable, "-c", IMPORT_ONLY], repeat=repeat), None)]
    stages = [s for s in only if s != "analyses" or n <= analyses_max]
    while stages:
        stage = stages.pop(0)
        base = [sys.executable, str(DRIVER), stage, "--export", str(export), "--run", str(run)]
        timed = measure if isolated else measure_forked
        stage_m = timed(base + extra, repeat=repeat)
        floor_m = measure(base + extra + ["--floor"], repeat=repeat)
        rows.append((n, stage, stage_m, floor_m))
        print(f"{n} {stage}: {stage_m} floor {floor_m}", file=sys.stderr, flush=True)
        if stage == "validate" and not stage_m.ok:
            stages.insert(0, "validate_nocut")  # validation without the data cut, then go on
    return rows


def bench_r(n: int, *, repeat: int, data_cut: str) -> list[tuple]:
    """Rows (subjects, label, measure, floor) of the R program and its two floors for one size.

    The R program writes ``benchmarks/out/r-<n>/per_visit.csv`` (``benchmarks/r_compare.py``
    compares it with the run's advisit), applying the validate stage's excluded.csv when the run
    has one. Its floor column is the fread floor.
    """
    export = ensure_export(n)
    files = [str(export / f"{t}.csv") for t in R_TABLES]
    program = ["Rscript", str(R_PROGRAM), str(export), str(OUT / f"r-{n}"), data_cut]
    excluded = OUT / f"run-{n}" / "validation" / "excluded.csv"  # the validate stage's verdict
    if excluded.is_file():
        program.append(str(excluded))
    r_m = measure(program, repeat=repeat)
    fread_m = measure(["Rscript", "-e", R_READ, *files], repeat=repeat)
    polars_m = measure([sys.executable, "-c", POLARS_READ, *files], repeat=repeat)
    print(f"{n} R: {r_m} fread {fread_m} polars read {polars_m}", file=sys.stderr, flush=True)
    return [
        (n, "R per_visit.R", r_m, fread_m),
        (n, "R floor: fread subjects, assessments, medications", fread_m, None),
        (n, "floor: polars read subjects, assessments, medications", polars_m, None),
    ]


def format_r_table(rows: list[tuple]) -> str:
    """Markdown: the R program and the project's counterpart stages, as ratios to the floor."""
    lines = [
        "| subjects | polars floor (s) | fread floor (s) | R (s) | R RSS (MiB) | R x floor | "
        "tables + medications + visits (s) | x floor | project / R |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_size: dict[int, dict[str, Measure]] = {}
    for n, stage, m, _ in rows:
        by_size.setdefault(n, {})[stage] = m
    for n, stages in by_size.items():
        r_m = stages.get("R per_visit.R")
        floor = stages.get("floor: polars read subjects, assessments, medications")
        fread_m = stages.get("R floor: fread subjects, assessments, medications")
        if not (r_m and floor and fread_m):
            continue
        ours = [stages.get(s) for s in R_COUNTERPART]
        ok = all(m and m.ok for m in ours)
        total = sum(m.seconds for m in ours) if ok else float("nan")  # type: ignore[union-attr]
        r_t, r_rss = _cell(r_m)
        ratio = f"{r_m.seconds / floor.seconds:.1f}" if r_m.ok else ""
        project = f"{total:.2f} | {total / floor.seconds:.1f}" if ok else "| "
        versus = f"{total / r_m.seconds:.2f}" if ok and r_m.ok else ""
        lines.append(
            f"| {n} | {floor.seconds:.2f} | {fread_m.seconds:.2f} | {r_t} | {r_rss} | {ratio} | "
            f"{project} | {versus} |"
        )
    return "\n".join(lines)


def config_data_cut() -> str:
    """data.data_cut of config/config.yaml, read in a child process (see ensure_export)."""
    code = (
        "from outcomes.config import DEFAULT_CONFIG, read_config_file; "
        "print(read_config_file(DEFAULT_CONFIG)['data']['data_cut'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


#: Stages run in every shard of the sharded run (analyses and the report run once, combined).
SHARD_STAGES = ("validate", "tables", "medications", "visits", "endpoints")


def bench_sharded(n: int, *, shards: int, data_cut: str | None) -> list[tuple]:
    """Rows for ``n`` subjects processed as ``shards`` shard exports, one process per stage and
    shard (one run each): split, each stage summed over the shards (peak RSS: the largest),
    and the combination of the shards' datasets."""
    export = ensure_export(n)
    root = OUT / f"shards-{n}"
    extra = ["--data-cut", data_cut] if data_cut else []
    shard_py = [sys.executable, "-m", "outcomes.steps.shard"]
    split = measure([*shard_py, "split-export", str(export), str(root), "--shards", str(shards)])
    rows = [(n, f"split into {shards} shards", split, None)]
    folders = sorted(root.glob("shard-*"))
    for stage in SHARD_STAGES:
        measures = []
        for folder in folders:
            base = [sys.executable, str(DRIVER), stage, "--export", str(folder / "export")]
            measures.append(measure([*base, "--run", str(folder / "run"), *extra]))
        total = Measure(
            sum(m.seconds for m in measures),
            max(m.rss_mib for m in measures),
            ok=all(m.ok for m in measures),
            error=next((m.error for m in measures if not m.ok), ""),
        )
        rows.append((n, f"{stage} (sum of shards)", total, None))
        print(f"{n} sharded {stage}: {total}", file=sys.stderr, flush=True)
    runs = [str(folder / "run") for folder in folders]
    combine = measure([*shard_py, "combine", str(OUT / f"run-{n}-combined"), *runs])
    rows.append((n, "combine shards", combine, None))
    return rows


def _cell(m: Measure | None) -> tuple[str, str]:
    if m is None:
        return "", ""
    if not m.ok:
        return f"failed ({m.error[:60]})", ""
    return f"{m.seconds:.2f}", f"{m.rss_mib:.0f}"


def format_table(rows: list[tuple]) -> str:
    """Markdown table; visits + endpoints summed as the target's row."""
    lines = [
        "| subjects | stage | time (s) | peak RSS (MiB) | floor (s) | floor RSS (MiB) | x floor |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    by_size: dict[int, dict[str, tuple]] = {}
    for n, stage, m, f in rows:
        by_size.setdefault(n, {})[stage] = (m, f)
        t, r = _cell(m)
        ft, fr = _cell(f)
        ratio = f"{m.seconds / f.seconds:.1f}" if f and f.ok and m.ok else ""
        lines.append(f"| {n} | {stage} | {t} | {r} | {ft} | {fr} | {ratio} |")
    for n, stages in by_size.items():
        pair = [stages.get(s) for s in ("visits", "endpoints")]
        if not all(pair):
            pair = [stages.get(f"{s} (sum of shards)") for s in ("visits", "endpoints")]
            pair = [(p[0], None) for p in pair if p]
            if len(pair) == 2 and all(p[0].ok for p in pair):
                t = sum(p[0].seconds for p in pair)
                rss = max(p[0].rss_mib for p in pair)
                lines.append(
                    f"| {n} | **visits + endpoints (sum of shards)** | **{t:.2f}** | "
                    f"**{rss:.0f}** | | | |"
                )
            continue
        if all(p and p[0].ok and p[1].ok for p in pair):
            t = sum(p[0].seconds for p in pair)
            ft = sum(p[1].seconds for p in pair)
            rss = max(p[0].rss_mib for p in pair)
            lines.append(
                f"| {n} | **visits + endpoints** | **{t:.2f}** | **{rss:.0f}** | {ft:.2f} | "
                f"| **{t / ft:.1f}** |"
            )
    return "\n".join(lines)


def machine() -> str:
    """nproc, memory, CPU model, load average, Python and polars versions."""
    from importlib.metadata import version

    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(ln.split()[1])
        for ln in Path("/proc/meminfo").read_text().splitlines()
        if ln.startswith("MemTotal")
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024**2:.1f} GiB RAM; load average {load}; "
        f"Python {platform.python_version()}, polars {version('polars')}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument(
        "--million",
        action="store_true",
        help="also 1,000,000 subjects, split by subject into --shards shard exports (slow)",
    )
    parser.add_argument("--shards", type=int, default=10, help="shards of the 1M run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-cut", default=None, help="override data.data_cut (ISO date)")
    parser.add_argument(
        "--stages",
        nargs="+",
        choices=STAGES,
        default=list(STAGES),
        help="stages to time (a stage needs the outputs of the earlier ones in benchmarks/out)",
    )
    parser.add_argument(
        "--r",
        action="store_true",
        help="also time the R data.table per-visit program and its floors on the same exports",
    )
    parser.add_argument(
        "--isolated",
        action="store_true",
        help="time each stage as a process of its own, imports included (no step server)",
    )
    parser.add_argument(
        "--analyses-max", type=int, default=10000, help="time analyses up to this many subjects"
    )
    args = parser.parse_args(argv)
    sizes = list(args.sizes)
    # The config is checked once (as Snakemake checks it once before starting the rules), in a
    # child process so that this one stays small (see ensure_export).
    check = "from outcomes.configuration import load_config; load_config()"
    checked = measure([sys.executable, "-c", check])
    if not checked.ok:
        raise SystemExit(f"config/config.yaml does not pass its checks: {checked.error}")
    OUT.mkdir(parents=True, exist_ok=True)
    before = machine()
    rows = [
        r
        for n in sizes
        for r in bench_size(
            n,
            repeat=args.repeat,
            data_cut=args.data_cut,
            analyses_max=args.analyses_max,
            only=args.stages,
            isolated=args.isolated,
        )
    ]
    r_rows = []
    if args.r:
        cut = args.data_cut or config_data_cut()
        r_rows = [r for n in sizes for r in bench_r(n, repeat=args.repeat, data_cut=cut)]
    if args.million:
        rows += bench_sharded(1_000_000, shards=args.shards, data_cut=args.data_cut)
    text = f"Machine (at start): {before}\n\nMachine (at end): {machine()}\n\n"
    text += format_table(rows + r_rows) + "\n"
    if r_rows:
        text += "\nSide by side with R data.table (x floor: / the polars floor):\n\n"
        text += format_r_table(rows + r_rows) + "\n"
    name = "results.md" if args.stages == list(STAGES) else f"results-{'-'.join(args.stages)}.md"
    if args.million and not sizes:
        name = "results-million.md"
    if args.r:
        name = name.replace(".md", "-r.md")
    (OUT / name).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
