"""Atomic output files: every file the pipeline writes is whole at its final path, or absent.

A writer writes to a temporary name in the same folder (``.<name>.<random>.part``), flushes it to
disk and renames it over the final path with :func:`os.replace` (atomic within one file system).
A run killed at any moment, or stopped by a full disk, leaves no partial file at a final path;
a leftover ``*.part`` file is removed by the next ``outcomes run`` (:func:`remove_partial_files`).

Every writer of the package goes through :func:`atomic_path` or one of its shortcuts
(:func:`write_bytes`, :func:`write_text`, :func:`write_parquet`, :func:`write_csv`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

#: Suffix of the temporary files; nothing else the pipeline writes ends with it.
PARTIAL_SUFFIX = ".part"


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    The caller writes the whole file to the yielded path. When the block raises, the temporary
    file is removed and ``path`` keeps its previous content (or stays absent).
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=PARTIAL_SUFFIX, dir=final.parent)
    os.close(fd)
    temporary = Path(name)
    os.chmod(temporary, 0o666 & ~_umask())
    try:
        yield temporary
        _flush_to_disk(temporary)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 atomically."""
    write_bytes(path, text.encode("utf-8"))


#: zstd level of the parquet files (unless the caller sets one): level 1 takes a quarter less
#: CPU than polars' default for files about 4 % larger (docs/performance.md).
PARQUET_ZSTD_LEVEL = 1


def write_parquet(frame: pl.DataFrame, path: str | Path, **options: Any) -> None:
    """``frame.write_parquet(path, **options)``, atomically; zstd at :data:`PARQUET_ZSTD_LEVEL`
    unless ``options`` choose another compression or level."""
    if options.get("compression", "zstd") == "zstd":
        options.setdefault("compression_level", PARQUET_ZSTD_LEVEL)
    with atomic_path(path) as tmp:
        frame.write_parquet(tmp, **options)


def write_csv(frame: pl.DataFrame, path: str | Path, **options: Any) -> None:
    """``frame.write_csv(path, **options)``, atomically."""
    with atomic_path(path) as tmp:
        frame.write_csv(tmp, **options)


def remove_partial_files(folder: Path) -> list[Path]:
    """Remove the temporary files an interrupted writer left under ``folder``; return them."""
    removed = []
    if folder.is_dir():
        for path in sorted(folder.rglob(f".*{PARTIAL_SUFFIX}")):
            if path.is_file() and ".snakemake" not in path.relative_to(folder).parts:
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
