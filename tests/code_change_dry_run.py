"""Change each named source module of a tree copy in turn and list the rules a dry run would run.

Run as ``python code_change_dry_run.py TREE MODULE_FILE...`` with ``PYTHONPATH=TREE/src``; prints
one JSON object: ``changes`` maps each file (and ``""``, nothing changed) to the rules of the dry
run, ``rulegraph`` lists the edges ``[upstream, downstream]`` between rules. The tree is first
brought to "everything up to date": every output of the workflow is created empty (names without
a suffix are folders) and marked done with ``--touch``. A change appends a comment line
(Snakemake compares the content of small inputs, so a bare touch is not a change); the file's
text and time are put back after each dry run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from pathlib import Path

from snakemake.cli import main as snakemake

JOB_LINE = re.compile(r"^(\w+)\s+\d+$", re.MULTILINE)


def _snakemake(*args: str) -> str:
    out = io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(out),
        contextlib.suppress(SystemExit),
    ):
        snakemake(["--cores", "1", *args])
    return out.getvalue()


def _dry_run_rules() -> list[str]:
    text = _snakemake("--dry-run", "--quiet", "rules")
    stats = text.split("Job stats:", 1)[1] if "Job stats:" in text else ""
    return sorted({r for r in JOB_LINE.findall(stats) if r != "total"})


def _make_up_to_date() -> None:
    summary = _snakemake("--summary").splitlines()
    header = next(i for i, line in enumerate(summary) if line.startswith("output_file\t"))
    for line in summary[header + 1 :]:
        path = Path(line.split("\t", 1)[0])
        if path.suffix:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        else:
            path.mkdir(parents=True, exist_ok=True)
    _snakemake("--touch", "--quiet")


def _rule_edges() -> list[list[str]]:
    dot = _snakemake("--rulegraph")
    names = dict(re.findall(r'^\s*(\d+)\[label = "(\w+)"', dot, re.MULTILINE))
    edges = re.findall(r"^\s*(\d+) -> (\d+)", dot, re.MULTILINE)
    return sorted([names[a], names[b]] for a, b in edges)


def main(tree: str, files: list[str]) -> None:
    os.chdir(tree)
    edges = _rule_edges()
    _make_up_to_date()
    found = {"": _dry_run_rules()}
    for name in files:
        path = Path(name)
        text, stat = path.read_bytes(), path.stat()
        path.write_bytes(text + b"\n# changed\n")
        try:
            found[name] = _dry_run_rules()
        finally:
            path.write_bytes(text)
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    print(json.dumps({"changes": found, "rulegraph": edges}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
