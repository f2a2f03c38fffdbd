"""Command line: ``outcomes simulate | validate | run | compare`` (data-contract.md §2).

Exit codes: 0 success; 1 validation errors found; 2 a user or input mistake or an environment
problem (bad arguments, unreadable export or configuration, unwritable folder, full disk); 3 an
internal failure (the message names the log with the traceback). User mistakes print one clear
message, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from outcomes import __version__
from outcomes.config import DEFAULT_CONFIG, REPO_ROOT
from outcomes.configuration import load_config
from outcomes.errors import (
    EXIT_INTERNAL,
    EXIT_USER,
    ExportReadError,
    OutcomesError,
    describe_environment_error,
)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="outcomes", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"outcomes {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="write a synthetic export of the trial")
    sim.add_argument("--subjects", type=_positive, default=48)
    sim.add_argument("--seed", type=int, default=20260701)
    sim.add_argument("--out", type=Path, required=True)
    sim.add_argument(
        "--inject-errors",
        action="store_true",
        help="also plant faults of every kind the validator knows, with a manifest",
    )
    sim.add_argument(
        "--sdtm",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write the trial as SDTM domains in DIR (inverse of import-sdtm)",
    )
    sim.add_argument(
        "--sdtm-format",
        choices=("xpt", "json", "parquet", "csv"),
        default="xpt",
        help="file format of the SDTM domains: SAS XPT v5 (default), Dataset-JSON "
        "v1.1, parquet or csv",
    )
    sim.add_argument(
        "--sdtm-mapping",
        type=Path,
        default=None,
        help="SDTM mapping file (default: config/sdtm_mapping.yaml)",
    )

    val = sub.add_parser("validate", help="check an export and write the validation report")
    val.add_argument("export", type=Path)
    val.add_argument("--out", type=Path, required=True)
    val.add_argument("--data-cut", type=_date, default=None)
    val.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    val.add_argument(
        "--previous",
        type=Path,
        default=None,
        metavar="PREV_DIR",
        help="validation folder of an earlier cut: mark each issue NEW or OPEN and list the "
        "queries resolved since (resolved.csv)",
    )

    run = sub.add_parser("run", help="run the whole workflow for one export and data cut")
    run.add_argument("--export", type=Path, required=True)
    run.add_argument("--data-cut", type=_date, required=True)
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    run.add_argument("--cores", type=_positive, default=1)
    run.add_argument(
        "--no-step-server",
        action="store_true",
        help="run every rule in a fresh process of its own, without the step server "
        "(docs/performance.md)",
    )
    run.add_argument(
        "--strict",
        action="store_true",
        help="refuse to analyse an export with any validation ERROR (database lock; sets "
        "validation.on_error: stop, data-contract §1.6)",
    )
    run.add_argument(
        "--previous",
        type=Path,
        default=None,
        metavar="PREV_DIR",
        help="output folder of an earlier cut: mark each validation issue NEW or OPEN and "
        "list the queries resolved since (config validation.previous; by default the folder "
        "beside --out of the latest earlier cut, when there is one)",
    )
    run.add_argument(
        "--no-previous",
        action="store_true",
        help="do not look for an earlier cut's folder beside --out",
    )
    run.add_argument(
        "--shards",
        type=_positive,
        default=None,
        help="split the export by subject into N shards, each validated and derived as its own "
        "jobs, then combined (config data.shards; default: 1, the export whole)",
    )
    run.add_argument(
        "--format",
        choices=("export", "sdtm"),
        default=None,
        help="layout of the --export folder: export tables or SDTM domains "
        "(default: data.format of the configuration)",
    )

    cmp_ = sub.add_parser("compare", help="list what changed between two data cuts' outputs")
    cmp_.add_argument("cut_a", type=Path)
    cmp_.add_argument("cut_b", type=Path)
    cmp_.add_argument("--out", type=Path, default=None)

    sdtm = sub.add_parser("import-sdtm", help="convert SDTM domains into an export folder")
    sdtm.add_argument("sdtm_dir", type=Path)
    sdtm.add_argument(
        "--mapping",
        type=Path,
        default=None,
        help="SDTM mapping file (default: config/sdtm_mapping.yaml)",
    )
    sdtm.add_argument("--out", type=Path, required=True)
    return parser


def cmd_simulate(args: argparse.Namespace) -> int:
    from outcomes.simulate import simulate_export

    result = simulate_export(
        subjects=args.subjects, seed=args.seed, out=args.out, inject_errors=args.inject_errors
    )
    print(result.summary())
    if args.sdtm is not None:
        from outcomes.interop.mapping import DEFAULT_MAPPING, load_sdtm_mapping
        from outcomes.interop.sdtm_export import write_sdtm

        paths = write_sdtm(
            args.out,
            args.sdtm,
            mapping=load_sdtm_mapping(args.sdtm_mapping or DEFAULT_MAPPING),
            fmt=args.sdtm_format,
            created=result.as_of,
        )
        print(f"SDTM domains written to {args.sdtm}: {', '.join(p.name for p in paths.values())}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from outcomes.validate import validate_export, write_validation_report
    from outcomes.validate.tracking import check_previous_folder

    config = load_config(args.config)
    if args.previous is not None:
        check_previous_folder(args.previous, out=args.out)
    report = validate_export(
        args.export, config=config, data_cut=args.data_cut, previous=args.previous
    )
    write_validation_report(report, args.out)
    print(report.summary())
    return report.exit_code


def cmd_run(args: argparse.Namespace) -> int:
    from outcomes.io import atomic
    from outcomes.steps.supervise import hold_run_lock, run_workflow

    out = args.out.resolve()
    if not args.export.is_dir():
        raise ExportReadError(f"Export folder {args.export} does not exist or is not a folder.")
    data = {
        "export": str(args.export.resolve()),
        "data_cut": args.data_cut.isoformat(),
        "output_dir": str(out),
    }
    if args.format is not None:
        data["format"] = args.format
    if args.shards is not None:
        data["shards"] = args.shards
    overrides: dict[str, Any] = {"data": data}
    validation: dict[str, Any] = {}
    if args.strict:
        validation["on_error"] = "stop"
    if args.previous is not None:
        validation["previous"] = str(args.previous.resolve())
    if validation:
        overrides["validation"] = validation
    config = load_config(args.config, overrides=overrides)
    earlier = _earlier_cut(args, config, out=out)
    if earlier is not None:
        overrides["validation"] = {**validation, "previous": str(earlier)}
        config = load_config(args.config, overrides=overrides)
    if out.exists() and not out.is_dir():
        raise ExportReadError(f"--out {out} exists and is not a folder.")
    out.mkdir(parents=True, exist_ok=True)
    effective = out / "config.yaml"
    snakemake_args = [
        "--snakefile",
        str(REPO_ROOT / "Snakefile"),
        "--directory",
        str(out),
        "--configfile",
        str(effective),
        "--cores",
        str(args.cores),
    ]
    with hold_run_lock(out):
        text = yaml.safe_dump(config, sort_keys=False)
        if not effective.is_file() or effective.read_bytes() != text.encode("utf-8"):
            atomic.write_text(effective, text)
        print(f"Running the workflow into {out} (Snakemake, {args.cores} core(s))", flush=True)
        result = run_workflow(out, snakemake_args, step_server=not args.no_step_server)
    if result.reason:
        print(result.reason, file=sys.stderr, flush=True)
    return result.exit_code


def _earlier_cut(args: argparse.Namespace, config: dict[str, Any], *, out: Path) -> Path | None:
    """The earlier cut's folder beside ``out`` to track queries against, when neither
    ``--previous``, ``--no-previous`` nor ``validation.previous`` decides; says which."""
    from outcomes.validate.tracking import find_earlier_cut

    if args.no_previous or config["validation"]["previous"] is not None:
        return None
    earlier = find_earlier_cut(out, data_cut=args.data_cut)
    if earlier is not None:
        print(
            f"Tracking validation queries against the earlier cut in {earlier} "
            "(--previous DIR names another, --no-previous none)",
            flush=True,
        )
    return earlier


def cmd_compare(args: argparse.Namespace) -> int:
    from outcomes.report.compare import compare_cuts

    result = compare_cuts(args.cut_a, args.cut_b, out=args.out)
    print(result.summary())
    return 0


def cmd_import_sdtm(args: argparse.Namespace) -> int:
    from outcomes.interop.mapping import DEFAULT_MAPPING, load_sdtm_mapping
    from outcomes.interop.sdtm_import import import_sdtm

    mapping = load_sdtm_mapping(args.mapping or DEFAULT_MAPPING)
    result = import_sdtm(args.sdtm_dir, mapping=mapping, out=args.out)
    print(result.summary())
    return result.exit_code


COMMANDS = {
    "simulate": cmd_simulate,
    "validate": cmd_validate,
    "run": cmd_run,
    "compare": cmd_compare,
    "import-sdtm": cmd_import_sdtm,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``outcomes`` console script.

    Exit codes (README "Exit codes"): 0 success; 1 validation errors found; 2 a user or input
    mistake or an environment problem (bad arguments, unreadable export or configuration, a
    folder that cannot be written, a full disk); 3 an internal failure, with the log to read;
    130 and 143 when stopped by SIGINT or SIGTERM.
    """
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except OutcomesError as exc:
        print(f"outcomes {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"outcomes {args.command}: stopped by SIGINT.", file=sys.stderr)
        return 128 + signal.SIGINT
    except Exception as exc:  # the boundary: a user sees one line, never a traceback
        message = describe_environment_error(exc)
        if message is not None:
            print(f"outcomes {args.command}: {message}", file=sys.stderr)
            return EXIT_USER
        log = _write_traceback(args.command)
        print(
            f"outcomes {args.command}: internal failure ({type(exc).__name__}: {exc}); "
            f"the traceback is in {log}.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _write_traceback(command: str) -> str:
    """Write the current exception's traceback to a new log file and return its path."""
    fd, path = tempfile.mkstemp(prefix=f"outcomes-{command}-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        traceback.print_exc(file=handle)
    return path


if __name__ == "__main__":
    sys.exit(main())
