"""Provenance of a run: ``manifest.json`` holds what is needed to rerun it (data-contract.md §3).

Input SHA-256 sums, the configuration, the data cut, the version of every installed package,
the SHA-256 of the dependency lock with any package installed at another version than the lock
says, and the code version (package version and git commit when the code is a git checkout). The
manifest is the only output that carries a timestamp; the report shows checksums and versions
without one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from outcomes import __version__
from outcomes.config import REPO_ROOT
from outcomes.io import atomic

#: The dependency lock (``uv pip compile`` output; README "Reproducible environments").
LOCK_FILE = REPO_ROOT / "requirements-lock.txt"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")

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


def normalize_package_name(name: str) -> str:
    """A distribution name in comparable form (PEP 503: lower case, ``-`` for runs of ``-_.``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def summarize_installed() -> dict[str, str]:
    """Every distribution installed in this environment: ``{normalized name: version}``, sorted."""
    found = {
        normalize_package_name(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions()
        if dist.metadata["Name"]
    }
    return dict(sorted(found.items()))


def read_lock(path: Path) -> dict[str, str]:
    """The ``name==version`` pins of a lock file: ``{normalized name: version}``."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line.strip())
        if match:
            pins[normalize_package_name(match.group(1))] = match.group(2)
    return pins


def summarize_lock(installed: Mapping[str, str], path: Path = LOCK_FILE) -> dict[str, Any]:
    """The lock's file name and SHA-256, and each locked package installed at another version.

    ``differs`` maps a package to ``{"locked": ..., "installed": ...}`` (``not installed`` when
    absent; a package the run does not need may be absent). ``sha256`` is ``None`` when the lock
    file is not beside the code (an install from a built package).
    """
    if not path.is_file():
        return {"file": path.name, "sha256": None, "differs": {}}
    differs = {
        name: {"locked": locked, "installed": installed.get(name, "not installed")}
        for name, locked in read_lock(path).items()
        if installed.get(name) != locked
    }
    return {"file": path.name, "sha256": compute_sha256(path), "differs": differs}


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
    """The manifest of a run: created (UTC), data cut, inputs' SHA-256, config, versions, code.

    ``installed_packages`` lists every distribution of the environment and ``lock`` the lock
    file's SHA-256 with the packages installed at another version than it pins.
    """
    created = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    installed = summarize_installed()
    return {
        "created_utc": created.isoformat(),
        "data_cut": config["data"]["data_cut"],
        "inputs_sha256": summarize_checksums(inputs),
        "config": dict(config),
        "package_versions": summarize_versions(),
        "python": platform.python_version(),
        "installed_packages": installed,
        "lock": summarize_lock(installed),
        "code_version": compute_code_version(),
    }


def write_manifest(manifest: Mapping[str, Any], path: Path) -> None:
    """Write the manifest as indented, key-sorted JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(
        path, json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
