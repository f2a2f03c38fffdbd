"""Split a data cut by subject into shards, run the per-subject rules on each, combine them, by
hand (the functions of :mod:`outcomes.shards`; the workflow does the same when config
``data.shards`` > 1).

Command line::

    python -m outcomes.steps.shard split-export <export> <shards> --shards N
    python -m outcomes.steps.shard split  <run>/validated <shards> --shards N
    python -m outcomes.steps.shard run    <shards>/shard-000 [--config config/config.yaml]
    python -m outcomes.steps.shard combine <run> <shards>/shard-*
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from outcomes.shards import (
    DATASETS,
    SHARD_SEED,
    combine_shards,
    compute_shard,
    create_row_map,
    create_shards,
    map_typed_rows,
    row_map_path,
    run_shard,
    shard_dir,
    split_export,
)

__all__ = [
    "DATASETS",
    "SHARD_SEED",
    "combine_shards",
    "compute_shard",
    "create_row_map",
    "create_shards",
    "main",
    "map_typed_rows",
    "row_map_path",
    "run_shard",
    "shard_dir",
    "split_export",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``split``, ``run`` and ``combine`` (see the module docstring)."""
    from outcomes.config import DEFAULT_CONFIG
    from outcomes.configuration import load_config

    parser = argparse.ArgumentParser(prog="python -m outcomes.steps.shard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    split_raw = sub.add_parser("split-export", help="split an export's tables by subject")
    split_raw.add_argument("export", type=Path)
    split_raw.add_argument("out", type=Path)
    split_raw.add_argument("--shards", type=int, required=True)
    split = sub.add_parser("split", help="split validated tables by subject")
    split.add_argument("validated", type=Path)
    split.add_argument("out", type=Path)
    split.add_argument("--shards", type=int, required=True)
    run = sub.add_parser("run", help="run the per-subject rules in one shard folder")
    run.add_argument("folder", type=Path)
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    combine = sub.add_parser("combine", help="concatenate the shards' datasets")
    combine.add_argument("out", type=Path)
    combine.add_argument("shards", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "split-export":
        folders = split_export(args.export, out=args.out, n_shards=args.shards)
        print("\n".join(str(f / "export") for f in folders))
    elif args.command == "split":
        folders = create_shards(args.validated, out=args.out, n_shards=args.shards)
        print("\n".join(str(f) for f in folders))
    elif args.command == "run":
        run_shard(args.folder, config=load_config(args.config))
    else:
        for path in combine_shards(args.shards, out=args.out).values():
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
