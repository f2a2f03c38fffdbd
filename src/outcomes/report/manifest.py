"""Provenance of a run: ``manifest.json`` holds what is needed to rerun it (data-contract.md §3).

Input SHA-256 sums, the configuration, the data cut, package versions and the code version
(package version and git commit when the code is a git checkout). The manifest is the only
output that carries a timestamp; the report shows checksums and versions without one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from outcomes import __version__
from outcomes.config import REPO_ROOT
from outcomes.io import atomic

#: Distributions whose versions are recorded.
PACKAGES: tuple[str, ...] = (
    "outcomes",
    "polars",
    "pandera",
    "lifelines",
    "statsmodels",
    "scipy",
    "numpy",
    "pandas",
    "matplotlib",
    "pyarrow",
    "PyYAML",
    "jsonschema",
    "snakemake",
)


def compute_sha256(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def summarize_checksums(paths: Iterable[Path]) -> dict[str, str]:
    """``{path: sha256}`` of every file (folders expanded to their files), sorted by path."""
    files: set[Path] = set()
    for path in paths:
        files.update(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else files.add(
            path
        )
    return {str(p): compute_sha256(p) for p in sorted(files, key=str)}


def summarize_versions() -> dict[str, str]:
    """Python and package versions (``not installed`` where a package is absent)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def compute_code_version() -> dict[str, str | bool | None]:
    """Package version, git commit of the code (``None`` outside a git checkout) and whether the
    working tree had uncommitted changes."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(REPO_ROOT), *args],
                capture_output=True,
                text=True,
                check=True,
                timeout=20,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {
        "package": __version__,
        "git_commit": commit,
        "git_dirty": bool(status) if status is not None else None,
    }


def create_manifest(
    *, inputs: Iterable[Path], config: Mapping[str, Any], now: dt.datetime | None = None
) -> dict[str, Any]:
    """The manifest of a run: created (UTC), data cut, inputs' SHA-256, config, versions, code."""
    created = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    return {
        "created_utc": created.isoformat(),
        "data_cut": config["data"]["data_cut"],
        "inputs_sha256": summarize_checksums(inputs),
        "config": dict(config),
        "package_versions": summarize_versions(),
        "code_version": compute_code_version(),
    }


def write_manifest(manifest: Mapping[str, Any], path: Path) -> None:
    """Write the manifest as indented, key-sorted JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(
        path, json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
